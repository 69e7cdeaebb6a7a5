package streak

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// TestDirectionsAgreeWithTheStreak: on random traffic, after every observation, what
// Directions shows of a pair decoded from its value is what the algorithm counts: its
// unanswered messages and their attempts, its peaks and nudge, and the counted message's
// Streak; kept actions are shown by their own id.
func TestDirectionsAgreeWithTheStreak(t *testing.T) {
	var keptActions, keptMessages int
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 17))
			burst := []time.Duration{0, time.Minute, 40 * time.Minute}[seed%3]
			l := &Limits{Window: 2 * 24 * time.Hour, Burst: burst,
				Nudge:         policy.Threshold{Attempts: 3, Messages: 6},
				Levels:        []policy.Threshold{{Attempts: 3, Messages: 6}, {Attempts: 5, Messages: 9}},
				MaxUnanswered: 20, MaxEvidence: 4}
			p := &Pair{}
			var clock int64 = 1_800_000_000_000
			for i := range 400 {
				o := randomObservation(rng, i, &clock)
				s := l.Apply(p, "a", o)
				q, err := Decode(string(p.Encode(nil, uint64(i))))
				if err != nil {
					t.Fatal(err)
				}
				dirs := q.Directions(burst)
				for k := range p.dirs {
					d, v := &p.dirs[k], dirs[k]
					attempts := 0
					if n := len(v.Unanswered); n > 0 {
						attempts = v.Unanswered[n-1].Attempt
					}
					if len(v.Unanswered) != d.count() || attempts != d.attempts() || v.Peak != d.peak ||
						v.PeakAttempts != d.peakAtt || !v.Nudged.Equal(msTime(d.nudged)) || v.Outcome != d.outcome {
						t.Fatalf("step %d: direction %d shows %d unanswered in %d attempts (peaks %d, %d); the pair has %d in %d (%d, %d)",
							i, k, len(v.Unanswered), attempts, v.Peak, v.PeakAttempts, d.count(), d.attempts(), d.peak, d.peakAtt)
					}
					for _, kept := range v.Kept {
						if kept.Action {
							keptActions++
						} else {
							keptMessages++
						}
						if strings.HasPrefix(kept.ID, "\x00") || kept.Action != strings.HasPrefix(kept.ID, "a") {
							t.Fatalf("step %d: kept %q (action %v)", i, kept.ID, kept.Action)
						}
					}
				}
				if s.Status == policy.StatusCounted {
					fwd := dirs[0]
					if o.SenderID != "a" {
						fwd = dirs[1]
					}
					if n := len(fwd.Unanswered); n != s.Count || fwd.Unanswered[n-1].Attempt != s.Attempts {
						t.Fatalf("step %d: %d unanswered shown, streak %+v", i, n, s)
					}
				}
			}
		})
	}
	if keptActions == 0 || keptMessages == 0 {
		t.Errorf("the traffic kept %d actions and %d messages: want some of each", keptActions, keptMessages)
	}
}
