package streak

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// TestEncodeKeepsWhatMatters applies random observations to one pair two ways: kept in
// memory, and encoded then decoded before every observation, as the store does across
// batches (into one Pair reused, as the store does). Both must yield the same streaks,
// and a decoded pair must encode to the same bytes.
func TestEncodeKeepsWhatMatters(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			l := &Limits{Window: 2 * 24 * time.Hour, Burst: time.Duration(seed%3) * 40 * time.Minute,
				Nudge:         policy.Threshold{Attempts: 3, Messages: 6},
				Levels:        []policy.Threshold{{Attempts: 2}, {Attempts: 3, Messages: 6}, {Attempts: 5, Messages: 9}, {Attempts: 7}},
				MaxUnanswered: 6 + int(seed%5), MaxEvidence: 4}
			live, stored := &Pair{}, []byte(nil)
			p := &Pair{} // reused: what it held before must not show
			var clock int64 = 1_800_000_000_000
			for i := range 400 {
				o := randomObservation(rng, i, &clock)
				want := l.Apply(live, "a", o)

				p.Reset()
				if stored != nil {
					if err := p.Decode(string(stored)); err != nil {
						t.Fatalf("step %d: decode: %v", i, err)
					}
				}
				got := l.Apply(p, "a", o)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d %+v:\nafter decode %+v\nin memory    %+v", i, o, got, want)
				}
				stored = p.Encode(nil, uint64(i))
				again, err := Decode(string(stored))
				if err != nil {
					t.Fatalf("step %d: decode: %v", i, err)
				}
				if re := again.Encode(nil, uint64(i)); !bytes.Equal(re, stored) {
					t.Fatalf("step %d: decode then encode changed the value", i)
				}
			}
		})
	}
}

// randomObservation is a message, reply or member action between a and b, mostly from a,
// sometimes out of order, stale, offensive or a redelivery of a recent id.
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
		SentAt: time.UnixMilli(t).UTC()}
	if rng.IntN(8) == 0 {
		o.Categories = []policy.Category{categoryBits[rng.IntN(len(categoryBits))]}
	}
	if rng.IntN(10) == 0 {
		o.Action, o.Categories = policy.ActionReply, nil
	}
	if rng.IntN(12) == 0 { // a member action of the recipient, now and then redelivered
		o.Action, o.Categories = policy.Actions[2+rng.IntN(4)], nil
		o.MessageID = fmt.Sprintf("a%d", rng.IntN(max(i/4, 1)))
	}
	return o
}

// FuzzDecodePair: any bytes decode without panicking, and what decodes re-encodes to a
// value that decodes the same.
func FuzzDecodePair(f *testing.F) {
	p := &Pair{}
	l := &Limits{Window: 24 * time.Hour, Burst: time.Hour, Nudge: policy.Threshold{Attempts: 2, Messages: 4},
		Levels: []policy.Threshold{{Attempts: 2, Messages: 4}, {Attempts: 5}}, MaxUnanswered: 5, MaxEvidence: 3}
	rng := rand.New(rand.NewPCG(1, 2))
	var clock int64 = 1_800_000_000_000
	for i := range 30 {
		l.Apply(p, "a", randomObservation(rng, i, &clock))
		f.Add(p.Encode(nil, uint64(i)))
	}
	f.Add([]byte{formatV1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{formatV2, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{formatV3, 0, 0, 0, 0, 0, 0, 0, 0})
	v2, _ := hex.DecodeString(formatV2Value)
	f.Add(v2)
	v1, _ := hex.DecodeString(formatV1Value)
	f.Add(v1)
	v1Value := string(v1)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(string(b))
		if err != nil {
			return
		}
		q, err := Decode(string(p.Encode(nil, 1)))
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		if !bytes.Equal(q.Encode(nil, 1), p.Encode(nil, 1)) {
			t.Fatal("re-encoded value decodes differently")
		}
		// Decoded into a Pair that held another, it decodes the same.
		reused, _ := Decode(v1Value)
		if err := reused.Decode(string(b)); err != nil || !bytes.Equal(reused.Encode(nil, 1), p.Encode(nil, 1)) {
			t.Fatalf("decoded into a used Pair: %v, or a different pair", err)
		}
		// Whatever it holds, a decoded pair applies and encodes to a readable value.
		rng := rand.New(rand.NewPCG(uint64(len(b)), 3))
		clock := max(p.dirs[0].newest, p.dirs[1].newest, 1_800_000_000_000) // times as valid events have
		for i := range 5 {
			l.Apply(p, "a", randomObservation(rng, i, &clock))
		}
		if _, err := Decode(string(p.Encode(nil, 2))); err != nil {
			t.Fatalf("value after applying does not decode: %v", err)
		}
	})
}

// BenchmarkPairRoundTrip is the store's Go work for one observation of a pair holding a
// streak of 10 unanswered messages (each with its stored view) and a conversation in the
// other direction: decode the value read, apply, encode the value to write.
func BenchmarkPairRoundTrip(b *testing.B) {
	l := LimitsFor(policy.Default())
	p := &Pair{}
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		l.Apply(p, "u-000001", policy.Observation{Action: policy.ActionMessage,
			MessageID: fmt.Sprintf("m-%08d", i), SenderID: "u-000001", RecipientID: "u-000002", SentAt: start.Add(time.Duration(i) * time.Minute)})
	}
	value := string(p.Encode(nil, 1))
	b.ReportMetric(float64(len(value)), "value-bytes")
	reply := policy.Observation{Action: policy.ActionMessage, MessageID: "b-1", SenderID: "u-000002",
		RecipientID: "u-000001", SentAt: start.Add(time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		q, err := Decode(value)
		if err != nil {
			b.Fatal(err)
		}
		l.Apply(q, "u-000001", reply)
		q.Encode(make([]byte, 0, len(value)+64), 2)
	}
}

// BenchmarkPairRoundTripReused is BenchmarkPairRoundTrip decoding into one Pair and
// encoding into one buffer, as the store does.
func BenchmarkPairRoundTripReused(b *testing.B) {
	l := LimitsFor(policy.Default())
	p := &Pair{}
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		l.Apply(p, "u-000001", policy.Observation{Action: policy.ActionMessage,
			MessageID: fmt.Sprintf("m-%08d", i), SenderID: "u-000001", RecipientID: "u-000002", SentAt: start.Add(time.Duration(i) * time.Minute)})
	}
	value := string(p.Encode(nil, 1))
	reply := policy.Observation{Action: policy.ActionMessage, MessageID: "b-1", SenderID: "u-000002",
		RecipientID: "u-000001", SentAt: start.Add(time.Hour)}
	var q Pair
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Decode(value); err != nil {
			b.Fatal(err)
		}
		l.Apply(&q, "u-000001", reply)
		buf = q.Encode(buf[:0], 2)
	}
}

// formatV1Value is a pair value written by relance before format 2 (the last version with
// format 1, d12b0c0), after the observations of v1Observations with the default policy's
// numbers: alice's streak of four to bob with m2 offensive, bob's answer b1, an offensive
// late message, and m5 starting a new streak.
const formatV1Value = "01000000000000002a8093afc7a03480b6d3c5a034000100026d3506026d3180c2e4bea03401026d3280dddb01050102010200010280bab703010000020002026d3380dddb0101046c61746580dddb010504000000000000000081bab7030000026d3400050104030401010280aea60a0100010400020204026d3580bab7030380b6d3c5a0348093afc7a034000000000102623180b6d3c5a03401"

func v1Observations() []policy.Observation {
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := func(id, from, to string, h int, cats ...policy.Category) policy.Observation {
		return policy.Observation{Action: policy.ActionMessage, MessageID: id, SenderID: from, RecipientID: to,
			SentAt: base.Add(time.Duration(h) * time.Hour), Categories: cats}
	}
	return []policy.Observation{
		m("m1", "alice", "bob", 0),
		m("m2", "alice", "bob", 1, policy.CategoryInsult),
		m("m3", "alice", "bob", 2),
		m("m4", "alice", "bob", 3),
		m("b1", "bob", "alice", 4),
		m("late", "alice", "bob", 3, policy.CategoryThreat),
		m("m5", "alice", "bob", 5),
	}
}

// TestDecodeReadsFormat1 reads a value the previous version wrote: the pair decides as the
// same observations decide today, except that views of format 1 do not know the categories
// they were decided with (a redelivery then uses the message's own: Redelivered is false),
// and stay so once written again in format 2.
func TestDecodeReadsFormat1(t *testing.T) {
	l := LimitsFor(policy.Default())
	today := &Pair{}
	for _, o := range v1Observations() {
		l.Apply(today, "alice", o)
	}
	v1, err := hex.DecodeString(formatV1Value)
	if err != nil {
		t.Fatal(err)
	}
	old, err := Decode(string(v1))
	if err != nil {
		t.Fatalf("format 1 value: %v", err)
	}
	again, err := Decode(string(old.Encode(nil, 1)))
	if err != nil {
		t.Fatalf("format 1 value written as format 2: %v", err)
	}
	for _, p := range []*Pair{old, again} {
		for _, o := range v1Observations() {
			want := l.Apply(today, "alice", o)
			got := l.Apply(p, "alice", o)
			if want.Status != policy.StatusDuplicate {
				// A stored view: format 1 did not keep its categories, and the redelivery
				// says so.
				if !want.Redelivered || got.Redelivered || got.Categories != nil {
					t.Errorf("%s: redelivered %v with categories %v; want not redelivered, no categories (today: %v %v)",
						o.MessageID, got.Redelivered, got.Categories, want.Redelivered, want.Categories)
				}
				want.Redelivered, want.Categories = false, nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: redelivery from format 1 gives\n%+v\nwant\n%+v", o.MessageID, got, want)
			}
		}
		next := policy.Observation{Action: policy.ActionMessage, MessageID: "m6", SenderID: "alice", RecipientID: "bob",
			SentAt: time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)}
		if got, want := l.Apply(p, "alice", next), l.Apply(today, "alice", next); !reflect.DeepEqual(got, want) {
			t.Errorf("next message after format 1 gives\n%+v\nwant\n%+v", got, want)
		}
		today = &Pair{}
		for _, o := range v1Observations() {
			l.Apply(today, "alice", o)
		}
	}
}

// TestRedeliveryReplaysTheFirstCategories: the categories a message was decided with come
// back with its redelivery, whatever the message now carries (a remote classifier that
// answered "threat" the first time may be down the second).
func TestRedeliveryReplaysTheFirstCategories(t *testing.T) {
	l := LimitsFor(policy.Default())
	for _, o := range v1Observations() {
		p := &Pair{}
		for _, before := range v1Observations() {
			if before.MessageID == o.MessageID {
				break
			}
			l.Apply(p, "alice", before)
		}
		first := l.Apply(p, "alice", o)
		p, err := Decode(string(p.Encode(nil, 1)))
		if err != nil {
			t.Fatal(err)
		}
		again := o
		again.Categories = nil // decided otherwise this time
		got := l.Apply(p, "alice", again)
		if !got.Redelivered || !reflect.DeepEqual(got.Categories, o.Categories) {
			t.Errorf("%s (first pass %s): redelivery gives redelivered %v, categories %v; want true, %v",
				o.MessageID, first.Status, got.Redelivered, got.Categories, o.Categories)
		}
	}
}

func TestDecodeRejectsUnknownFormats(t *testing.T) {
	for _, b := range [][]byte{nil, {formatV3}, {formatV3, 0, 0, 0, 0, 0, 0, 0, 0}, {4, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := Decode(string(b)); !errors.Is(err, ErrUnreadable) {
			t.Errorf("Decode(%x) = %v, want ErrUnreadable", b, err)
		}
	}
}

// TestApplyHandlesEveryAction: each kind of observation has its case in the transition.
func TestApplyHandlesEveryAction(t *testing.T) {
	l := LimitsFor(policy.Default())
	for _, a := range policy.Actions {
		o := policy.Observation{Action: a, MessageID: "m1", SenderID: "alice", RecipientID: "bob", SentAt: time.UnixMilli(1_800_000_000_000)}
		if err := o.Validate(); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		s := l.Apply(&Pair{}, "alice", o)
		if s.Status == 0 {
			t.Errorf("%s: no status", a)
		}
	}
}

// formatV2Value is a pair value written in format 2 (at 3126976, before the bounds on seen
// records), after v1Observations with the default policy's numbers.
const formatV2Value = "02000000000000002a8093afc7a03480b6d3c5a034000100026d3506026d3180c2e4bea03401026d3280dddb01050102010200010280bab70301000002000202026d3380dddb0101046c61746580dddb010504000000000000000081bab703000008026d3400050104030401010280aea60a010001040002020400026d3580bab7030380b6d3c5a0348093afc7a034000000000102623180b6d3c5a03401"

// TestDecodeReadsFormat2 reads a value format 2 wrote: every redelivery and the next
// message decide as today.
func TestDecodeReadsFormat2(t *testing.T) {
	l := LimitsFor(policy.Default())
	today := &Pair{}
	for _, o := range v1Observations() {
		l.Apply(today, "alice", o)
	}
	v2, err := hex.DecodeString(formatV2Value)
	if err != nil {
		t.Fatal(err)
	}
	old, err := Decode(string(v2))
	if err != nil {
		t.Fatalf("format 2 value: %v", err)
	}
	for _, o := range v1Observations() {
		if got, want := l.Apply(old, "alice", o), l.Apply(today, "alice", o); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: redelivery from format 2 gives\n%+v\nwant\n%+v", o.MessageID, got, want)
		}
	}
	next := policy.Observation{Action: policy.ActionMessage, MessageID: "m6", SenderID: "alice", RecipientID: "bob",
		SentAt: time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)}
	if got, want := l.Apply(old, "alice", next), l.Apply(today, "alice", next); !reflect.DeepEqual(got, want) {
		t.Errorf("next message after format 2 gives\n%+v\nwant\n%+v", got, want)
	}
}

// A value with two records of one id, which Encode never writes from a pair Apply built,
// is unreadable: with few records (compared on hashes) and with many (a map).
func TestDecodeRejectsDuplicateIDs(t *testing.T) {
	for _, n := range []int{2, 10, 32, 33, 100} {
		p := &Pair{}
		for i := range n {
			p.dirs[1].recs = append(p.dirs[1].recs, record{id: fmt.Sprintf("m-%08d", i), t: int64(1000 + i), seen: true})
		}
		if _, err := Decode(string(p.Encode(nil, 1))); err != nil {
			t.Fatalf("%d distinct records: %v", n, err)
		}
		p.dirs[1].recs[n-1].id = p.dirs[1].recs[n/2-1].id
		if _, err := Decode(string(p.Encode(nil, 1))); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%d records, two with one id: Decode = %v, want ErrUnreadable", n, err)
		}
	}
}
