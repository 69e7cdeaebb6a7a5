package offender

import (
	"slices"
	"time"
)

// Entry is one member counted in a sender's record, for people to read (relance inspect).
type Entry struct {
	Kind   Kind
	Member string
	// At is the member's latest signal of Kind.
	At time.Time
	// Crossed are the levels that signal crossed, with the members counted then.
	Crossed []Crossing
}

// Newest is the newest signal's time in r: its window ends there (zero for none).
func (r *Record) Newest() time.Time {
	if r.newest == 0 {
		return time.Time{}
	}
	return time.UnixMilli(r.newest).UTC()
}

// Entries are r's members, in the record's order (by kind, then as they came), with the
// levels of l each crossed.
func (r *Record) Entries(l *Limits) []Entry {
	out := make([]Entry, 0, len(r.entries))
	for i := range r.entries {
		e := &r.entries[i]
		out = append(out, Entry{Kind: e.kind, Member: e.member, At: time.UnixMilli(e.at).UTC(), Crossed: l.crossings(e, false)})
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return int(a.Kind) - int(b.Kind) })
	return out
}

// Forget removes member from r: the member's own entries, and the member from the members
// each entry counted when it crossed a level (a redelivery of that signal replays its
// alert without them). It reports whether r named member. Newest stays: it is a time,
// and the window of later signals is unchanged.
func (r *Record) Forget(member string) bool {
	named := false
	r.entries = slices.DeleteFunc(r.entries, func(e entry) bool {
		named = named || e.member == member
		return e.member == member
	})
	for i := range r.entries {
		e := &r.entries[i]
		if slices.Contains(e.members, member) {
			named = true
			e.members = slices.DeleteFunc(slices.Clone(e.members), func(m string) bool { return m == member })
		}
	}
	return named
}

// Names reports whether r names member: as an entry, or among the members an entry counted.
func (r *Record) Names(member string) bool {
	for _, e := range r.entries {
		if e.member == member || slices.Contains(e.members, member) {
			return true
		}
	}
	return false
}
