package streak

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// scanAttempts counts a direction's attempts the plain way: every unanswered record in
// order, a new attempt whenever one is sent burst or more after the current one's first.
func scanAttempts(d *direction, burst int64) int {
	n, anchor := 0, int64(0)
	for _, r := range d.recs {
		if r.unanswered && (n == 0 || r.t >= anchor+burst) {
			n, anchor = n+1, r.t
		}
	}
	return n
}

// TestAttemptsMatchAScan: however the attempts are kept (extended as messages arrive,
// counted again by binary searches, or by a scan), after every observation of random
// traffic (out of order, late, stale, redelivered, answered, over the caps) they are what
// a plain scan of the unanswered messages counts, and the Streak says so.
func TestAttemptsMatchAScan(t *testing.T) {
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 13))
			burst := []time.Duration{0, time.Minute, 40 * time.Minute, 3 * time.Hour}[seed%4]
			l := &Limits{Window: 2 * 24 * time.Hour, Burst: burst,
				Nudge:         policy.Threshold{Attempts: 3, Messages: 6},
				Levels:        []policy.Threshold{{Attempts: 3, Messages: 6}, {Attempts: 5, Messages: 9}},
				MaxUnanswered: 5 + int(seed%7), MaxEvidence: 4}
			p := &Pair{}
			var clock int64 = 1_800_000_000_000
			for i := range 600 {
				o := randomObservation(rng, i, &clock)
				if rng.IntN(3) == 0 { // bubbles: minutes after the clock
					o.SentAt = time.UnixMilli(clock + rng.Int64N(5)*60_000).UTC()
				}
				// Whole minutes, so that messages exactly a burst apart happen.
				o.SentAt = o.SentAt.Truncate(time.Minute)
				s := l.Apply(p, "a", o)
				for k := range p.dirs {
					d := &p.dirs[k]
					if got, want := d.attempts(), scanAttempts(d, burst.Milliseconds()); got != want {
						t.Fatalf("step %d %+v: direction %d has %d attempts, a scan counts %d", i, o, k, got, want)
					}
				}
				fwd := &p.dirs[0]
				if o.SenderID != "a" {
					fwd = &p.dirs[1]
				}
				if s.Status == policy.StatusCounted && (s.Attempts != fwd.attempts() || s.Attempts > s.Count || s.PeakAttempts > s.Peak) {
					t.Fatalf("step %d: streak %d attempts of %d messages (peaks %d, %d), direction %d", i, s.Attempts, s.Count,
						s.PeakAttempts, s.Peak, fwd.attempts())
				}
			}
		})
	}
}
