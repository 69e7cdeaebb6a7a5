package offender

import (
	"slices"
	"testing"
)

// Forget removes a member from a record, as an entry and from the members a crossing
// counted, even once its own entry has been dropped beyond the highest level.
func TestForgetRemovesTheMemberEverywhere(t *testing.T) {
	l, r := limits(), &Record{}
	for i, m := range []string{"b", "c", "d", "e", "f", "g"} {
		l.Apply(r, sig(Pestered, m, i))
	}
	l.Apply(r, sig(BlockedBy, "b", 6))
	l.Apply(r, sig(ReportedBy, "bb", 7)) // an id that starts with b's
	if !r.Names("b") || !r.Forget("b") {
		t.Fatal("the record does not name b")
	}
	q, err := Decode(string(r.Encode(nil, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if q.Names("b") || q.Forget("b") {
		t.Fatalf("b still named: %+v", q.Entries(l))
	}
	var got []string
	for _, e := range q.Entries(l) {
		got = append(got, e.Kind.String()+" "+e.Member)
		for _, c := range e.Crossed {
			got = append(got, levelsOf([]Crossing{c})...)
		}
	}
	want := []string{"pestered c", "pestered d", "pestered 3 [c d] replayed=false", "pestered e", "pestered f", "pestered 5 [c d e f] replayed=false", "pestered g", "reported_by bb"}
	if !slices.Equal(got, want) {
		t.Errorf("after Forget: %q, want %q", got, want)
	}
	// A redelivery of f's signal replays its crossing without b.
	if got := levelsOf(l.Apply(q, sig(Pestered, "f", 4))); !slices.Equal(got, []string{"pestered 5 [c d e f] replayed=true"}) {
		t.Errorf("replay: %q", got)
	}
	if !q.Newest().Equal(t0.Add(7 * 3600e9)) {
		t.Errorf("newest = %s", q.Newest())
	}
}
