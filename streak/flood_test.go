package streak

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/relance/relance/policy"
)

// floodObservation is the i-th message of a flood from a to b, one second apart, with an
// id of idLen bytes; every offensiveEvery-th is an insult (0: none).
func floodObservation(i, idLen, offensiveEvery int) policy.Observation {
	o := floodMessage(i)
	o.MessageID = fmt.Sprintf("%0*d", idLen, i)
	if offensiveEvery > 0 && i%offensiveEvery == 0 {
		o.Categories = []policy.Category{policy.CategoryInsult}
	}
	return o
}

// applyBatches applies obs to the stored value v in batches of size, decoding and
// encoding the pair once per batch as a store does, and returns the value and the
// streaks.
func applyBatches(t *testing.T, l *Limits, v []byte, obs []policy.Observation, size int) ([]byte, []policy.Streak) {
	t.Helper()
	var streaks []policy.Streak
	for len(obs) > 0 {
		n := min(size, len(obs))
		p := &Pair{}
		if len(v) > 0 {
			var err error
			if p, err = Decode(string(v)); err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range obs[:n] {
			streaks = append(streaks, l.Apply(p, "a", o))
		}
		v = p.Encode(nil, 1)
		if len(v) >= 64<<10 {
			t.Fatalf("value of %d bytes after %d observations", len(v), len(streaks))
		}
		obs = obs[n:]
	}
	return v, streaks
}

// TestFloodKeepsThePairSmall floods one pair with 25,000 messages a second apart: the
// value stays under 64 KiB whatever the ids' length, the count stops at MaxUnanswered or
// at what MaxRecordBytes holds, each level fires once, and the last batch redelivered
// (a consumer that crashed before committing) replays the first pass.
func TestFloodKeepsThePairSmall(t *testing.T) {
	tests := []struct {
		name                  string
		idLen, offensiveEvery int
		wantCount             int
	}{
		{"short ids", 12, 0, DefaultMaxUnanswered},
		{"short ids, some offensive", 12, 97, DefaultMaxUnanswered},
		{"longest ids", 128, 0, DefaultMaxRecordBytes / recordCost(strings.Repeat("x", 128))},
		{"longest ids, many offensive", 128, 7, DefaultMaxRecordBytes / recordCost(strings.Repeat("x", 128))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := LimitsFor(policy.Default())
			const n = 25_000
			obs := make([]policy.Observation, n)
			for i := range obs {
				obs[i] = floodObservation(i, tt.idLen, tt.offensiveEvery)
			}
			v, first := applyBatches(t, &l, nil, obs, 1000)
			fired := map[policy.Threshold]int{}
			for _, s := range first {
				if s.Status != policy.StatusCounted {
					t.Fatalf("%+v: want counted", s)
				}
				for _, level := range l.Levels {
					if level.Crossed(s) {
						fired[level]++
					}
				}
			}
			for _, level := range l.Levels {
				if fired[level] != 1 {
					t.Errorf("level %+v fired %d times, want once", level, fired[level])
				}
			}
			if got := first[n-1].Count; got != tt.wantCount {
				t.Errorf("count %d, want %d", got, tt.wantCount)
			}
			t.Logf("value %d bytes", len(v))

			// The last batch redelivered: nothing counts again, and what was stored replays.
			redelivered := obs[n-tt.wantCount:]
			_, again := applyBatches(t, &l, v, redelivered, 1000)
			for i, s := range again {
				f := first[n-tt.wantCount+i]
				switch s.Status {
				case policy.StatusDuplicate:
					if s.Count != tt.wantCount {
						t.Fatalf("%s: duplicate with count %d", redelivered[i].MessageID, s.Count)
					}
				case policy.StatusReplayed:
					f.Status, f.Redelivered = policy.StatusReplayed, true
					f.Categories = redelivered[i].Categories
					if !reflect.DeepEqual(s, f) {
						t.Fatalf("%s: replayed\n%+v\nwant\n%+v", redelivered[i].MessageID, s, f)
					}
				default:
					t.Fatalf("%s redelivered: %+v", redelivered[i].MessageID, s)
				}
			}
		})
	}
}

// TestFloodRecognisesAProducerRetry: the same message again seconds later, in the middle
// of a flood, is a duplicate.
func TestFloodRecognisesAProducerRetry(t *testing.T) {
	l := LimitsFor(policy.Default())
	var obs []policy.Observation
	for i := range 5000 {
		obs = append(obs, floodObservation(i, 36, 0))
		if i%500 == 499 {
			obs = append(obs, floodObservation(i-3, 36, 0)) // a retry, three messages later
		}
	}
	_, streaks := applyBatches(t, &l, nil, obs, 1000)
	for i, s := range streaks {
		retry := i > 0 && obs[i].MessageID < obs[i-1].MessageID
		if retry != (s.Status == policy.StatusDuplicate) {
			t.Fatalf("%s (retry %v): %+v", obs[i].MessageID, retry, s)
		}
	}
}

// TestFloodBothWaysKeepsThePairSmall: each member floods the other in turn with messages
// of the longest ids, some offensive, so both directions hold their most records and views
// (offensive messages far apart name different evidence): the value stays under 64 KiB.
func TestFloodBothWaysKeepsThePairSmall(t *testing.T) {
	for _, every := range []int{1, 3, 51, 151, 1001} {
		t.Run(fmt.Sprintf("offensive every %d", every), func(t *testing.T) {
			l := LimitsFor(policy.Default())
			var obs []policy.Observation
			for i := range 20_000 {
				o := floodObservation(i, 128, every)
				if i < 10_000 {
					o.SenderID, o.RecipientID = "b", "a"
				}
				obs = append(obs, o)
			}
			v, _ := applyBatches(t, &l, nil, obs, 1000)
			t.Logf("value %d bytes", len(v))
		})
	}
}
