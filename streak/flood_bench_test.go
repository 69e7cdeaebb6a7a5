package streak

import (
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// floodStart is the first flood message's event time.
var floodStart = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// floodMessage is the i-th message of a flood from a to b, one second apart.
func floodMessage(i int) policy.Observation {
	return policy.Observation{Action: policy.ActionMessage, MessageID: fmt.Sprintf("flood-%06d", i),
		SenderID: "a", RecipientID: "b", SentAt: floodStart.Add(time.Duration(i) * time.Second)}
}

// ordinaryMessage is the i-th message of traffic over pairs pairs: each pair's members
// take turns every three messages, a minute apart.
func ordinaryMessage(i, pairs int) (int, policy.Observation) {
	k, n := i%pairs, i/pairs
	from, to := "a", "b"
	if n/3%2 == 1 {
		from, to = to, from
	}
	return k, policy.Observation{Action: policy.ActionMessage, MessageID: fmt.Sprintf("m-%d-%d", k, n),
		SenderID: from, RecipientID: to, SentAt: floodStart.Add(time.Duration(n) * time.Minute)}
}

// roundTrip decodes v (empty: a new pair), applies obs and encodes the pair back, as a
// store does for one pair in one batch.
func roundTrip(tb testing.TB, l *Limits, v []byte, obs []policy.Observation) []byte {
	p := &Pair{}
	if len(v) > 0 {
		var err error
		if p, err = Decode(string(v)); err != nil {
			tb.Fatal(err)
		}
	}
	for _, o := range obs {
		l.Apply(p, "a", o)
	}
	return p.Encode(v[:0], 1)
}

// BenchmarkFlood measures what one member flooding another costs: 20,000 messages a
// second apart to one pair, decoded, applied and encoded once per batch of 1000 (the
// whole batch is the flood) or once per message (the flood mixed with other traffic),
// against ordinary traffic over 2,000 pairs, one round trip per message. bytes is the
// pair's value after the run (the largest for ordinary traffic); ns/event the time per
// observation.
func BenchmarkFlood(b *testing.B) {
	l := LimitsFor(policy.Default())
	const events = 20_000
	for _, batch := range []int{1000, 1} {
		b.Run(fmt.Sprintf("flooded/batch=%d", batch), func(b *testing.B) {
			var v []byte
			obs := make([]policy.Observation, events)
			for i := range obs {
				obs[i] = floodMessage(i)
			}
			for b.Loop() {
				v = nil
				for i := 0; i < events; i += batch {
					v = roundTrip(b, &l, v, obs[i:i+batch])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
			b.ReportMetric(float64(len(v)), "bytes")
		})
	}
	b.Run("ordinary/pairs=2000", func(b *testing.B) {
		const pairs = 2000
		obs := make([]policy.Observation, events)
		keys := make([]int, events)
		for i := range obs {
			keys[i], obs[i] = ordinaryMessage(i, pairs)
		}
		var largest int
		for b.Loop() {
			values := make([][]byte, pairs)
			for i, o := range obs {
				values[keys[i]] = roundTrip(b, &l, values[keys[i]], []policy.Observation{o})
			}
			for _, v := range values {
				largest = max(largest, len(v))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
		b.ReportMetric(float64(largest), "bytes")
	})
}
