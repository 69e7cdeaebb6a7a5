package offender

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func limits() *Limits {
	return &Limits{Window: 7 * 24 * time.Hour, Levels: [Kinds][]int{Pestered: {3, 5}, BlockedBy: {3}, ReportedBy: {2}}}
}

func sig(k Kind, member string, h int) Signal {
	return Signal{Kind: k, Member: member, At: t0.Add(time.Duration(h) * time.Hour)}
}

// levelsOf summarises crossings as "kind level members".
func levelsOf(cs []Crossing) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %d %v replayed=%v", c.Kind, c.Level, c.Members, c.Replayed))
	}
	return out
}

func TestApplyCrossesEachLevelOncePerCrossing(t *testing.T) {
	l, r := limits(), &Record{}
	steps := []struct {
		s    Signal
		want []string
	}{
		{sig(Pestered, "b", 0), nil},
		{sig(Pestered, "c", 1), nil},
		{sig(Pestered, "c", 2), nil}, // the same member again: counted once
		{sig(Pestered, "d", 3), []string{"pestered 3 [b c d] replayed=false"}},
		{sig(Pestered, "d", 3), []string{"pestered 3 [b c d] replayed=true"}}, // redelivered
		{sig(BlockedBy, "b", 4), nil},
		{sig(Pestered, "e", 4), nil},
		{sig(Pestered, "f", 5), []string{"pestered 5 [b c d e f] replayed=false"}}, // c by its latest signal
		{sig(Pestered, "g", 6), nil},                                               // above every level
		{sig(ReportedBy, "b", 6), nil},
		{sig(ReportedBy, "c", 7), []string{"reported_by 2 [b c] replayed=false"}},
		// A week later the first have left the window, one by one: the count falls below
		// 3 and crosses it again.
		{sig(Pestered, "h", 7*24+5), nil},                                           // g, h
		{sig(Pestered, "i", 7*24+6), nil},                                           // h, i
		{sig(Pestered, "j", 7*24+7), []string{"pestered 3 [h i j] replayed=false"}}, // h, i, j
	}
	for i, st := range steps {
		if got := levelsOf(l.Apply(r, st.s)); !slices.Equal(got, st.want) {
			t.Errorf("step %d %+v: %q, want %q", i, st.s, got, st.want)
		}
		q, err := Decode(string(r.Encode(nil, uint64(i))))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		r = q
	}
}

func TestApplyCrossesAgainAfterFallingBelow(t *testing.T) {
	l, r := limits(), &Record{}
	for i, m := range []string{"a", "b"} {
		l.Apply(r, sig(ReportedBy, m, i))
	}
	// A week later both left; two new reports cross the level again.
	l.Apply(r, sig(ReportedBy, "c", 7*24+2))
	got := levelsOf(l.Apply(r, sig(ReportedBy, "d", 7*24+3)))
	if want := []string{"reported_by 2 [c d] replayed=false"}; !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestApplyKeepsTheRecordSmall(t *testing.T) {
	l, r := limits(), &Record{}
	for i := range 10_000 {
		l.Apply(r, Signal{Kind: Kind(i % 3), Member: fmt.Sprintf("%0128d", i), At: t0.Add(time.Duration(i) * time.Second)})
	}
	if n := len(r.entries); n > 5+3+2 {
		t.Errorf("%d entries, want at most the highest levels' 10", n)
	}
	if v := r.Encode(nil, 1); len(v) > 4096 {
		t.Errorf("value of %d bytes", len(v))
	}
}

func TestDecodeRejectsWhatEncodeNeverWrites(t *testing.T) {
	r := &Record{}
	limits().Apply(r, sig(Pestered, "b", 0))
	v := r.Encode(nil, 1)
	for _, bad := range [][]byte{nil, v[:8], append([]byte{2}, v[1:]...), v[:len(v)-1], append(slices.Clone(v), 0)} {
		if _, err := Decode(string(bad)); err == nil {
			t.Errorf("Decode(%x) succeeded", bad)
		}
	}
	if q, err := Decode(string(v)); err != nil || !reflect.DeepEqual(q.Encode(nil, 1), v) {
		t.Errorf("round trip: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	r := &Record{}
	l := limits()
	for i := range 8 {
		l.Apply(r, sig(Kind(i%3), fmt.Sprint(i), i))
		f.Add(r.Encode(nil, uint64(i)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(string(b))
		if err != nil {
			return
		}
		l.Apply(r, sig(Pestered, "z", 1))
		if _, err := Decode(string(r.Encode(nil, 2))); err != nil {
			t.Fatalf("applied value does not decode: %v", err)
		}
	})
}
