package state

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// TestEncodeKeepsWhatMatters applies random observations to one pair two ways: kept in
// memory, and encoded then decoded before every observation, as the store does across
// batches. Both must yield the same streaks, and a decoded pair must encode to the same
// bytes.
func TestEncodeKeepsWhatMatters(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			l := &limits{window: (2 * 24 * time.Hour).Milliseconds(), nudgeAt: 3, rememberUpTo: 7,
				maxUnanswered: 6 + int(seed%5), maxEvidence: 4}
			live, stored := &pair{}, []byte(nil)
			var clock int64 = 1_800_000_000_000
			for i := range 400 {
				o := randomObservation(rng, i, &clock)
				want := l.applyTo(live, "a", o)

				p := &pair{}
				if stored != nil {
					var err error
					if p, err = decodePair(string(stored)); err != nil {
						t.Fatalf("step %d: decode: %v", i, err)
					}
				}
				got := l.applyTo(p, "a", o)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d %+v:\nafter decode %+v\nin memory    %+v", i, o, got, want)
				}
				stored = p.encode(nil, uint64(i))
				again, err := decodePair(string(stored))
				if err != nil {
					t.Fatalf("step %d: decode: %v", i, err)
				}
				if re := again.encode(nil, uint64(i)); !bytes.Equal(re, stored) {
					t.Fatalf("step %d: decode then encode changed the value", i)
				}
			}
		})
	}
}

// randomObservation is a message or reply between a and b, mostly from a, sometimes
// out of order, stale, offensive or a redelivery of a recent id.
func randomObservation(rng *rand.Rand, i int, clock *int64) policy.Observation {
	*clock += rng.Int64N(3 * 3600_000)
	t := *clock - rng.Int64N(3600_000)
	if rng.IntN(15) == 0 {
		t -= 3 * 24 * 3600_000
	}
	id := fmt.Sprintf("m%d", i)
	if rng.IntN(6) == 0 && i > 0 {
		id = fmt.Sprintf("m%d", i-1-rng.IntN(min(i, 20)))
	}
	from, to := "a", "b"
	if rng.IntN(5) == 0 {
		from, to = to, from
	}
	o := policy.Observation{Action: policy.ActionMessage, MessageID: id, SenderID: from, RecipientID: to,
		SentAt: time.UnixMilli(t).UTC(), Offensive: rng.IntN(8) == 0}
	if rng.IntN(10) == 0 {
		o.Action, o.Offensive = policy.ActionReply, false
	}
	return o
}

// FuzzDecodePair: any bytes decode without panicking, and what decodes re-encodes to a
// value that decodes the same.
func FuzzDecodePair(f *testing.F) {
	p := &pair{}
	l := &limits{window: 86_400_000, nudgeAt: 2, rememberUpTo: 5, maxUnanswered: 5, maxEvidence: 3}
	rng := rand.New(rand.NewPCG(1, 2))
	var clock int64 = 1_800_000_000_000
	for i := range 30 {
		l.applyTo(p, "a", randomObservation(rng, i, &clock))
		f.Add(p.encode(nil, uint64(i)))
	}
	f.Add([]byte{formatV1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePair(string(b))
		if err != nil {
			return
		}
		q, err := decodePair(string(p.encode(nil, 1)))
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		if !bytes.Equal(q.encode(nil, 1), p.encode(nil, 1)) {
			t.Fatal("re-encoded value decodes differently")
		}
	})
}

// BenchmarkPairRoundTrip is the store's Go work for one observation of a pair holding a
// streak of 10 unanswered messages (each with its stored view) and a conversation in the
// other direction: decode the value read, apply, encode the value to write.
func BenchmarkPairRoundTrip(b *testing.B) {
	l := &limits{window: (7 * 24 * time.Hour).Milliseconds(), nudgeAt: 4, rememberUpTo: 12,
		maxUnanswered: 1000, maxEvidence: 50}
	p := &pair{}
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		l.applyTo(p, "u-000001", policy.Observation{Action: policy.ActionMessage,
			MessageID: fmt.Sprintf("m-%08d", i), SenderID: "u-000001", RecipientID: "u-000002", SentAt: start.Add(time.Duration(i) * time.Minute)})
	}
	value := string(p.encode(nil, 1))
	b.ReportMetric(float64(len(value)), "value-bytes")
	reply := policy.Observation{Action: policy.ActionMessage, MessageID: "b-1", SenderID: "u-000002",
		RecipientID: "u-000001", SentAt: start.Add(time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		q, err := decodePair(value)
		if err != nil {
			b.Fatal(err)
		}
		l.applyTo(q, "u-000001", reply)
		q.encode(make([]byte, 0, len(value)+64), 2)
	}
}
