package offender

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Kind is what a member's signal says about the sender.
type Kind uint8

const (
	// Pestered: the sender's streak to the member reached the nudge level.
	Pestered Kind = iota
	// BlockedBy: the member blocked the sender.
	BlockedBy
	// ReportedBy: the member reported the sender.
	ReportedBy
	// Kinds is the number of kinds.
	Kinds
)

// String names the kind as the policy file does.
func (k Kind) String() string {
	switch k {
	case Pestered:
		return "pestered"
	case BlockedBy:
		return "blocked_by"
	case ReportedBy:
		return "reported_by"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Signal is one member's signal about the sender, at an event time.
type Signal struct {
	Kind   Kind
	Member string
	At     time.Time
}

// Limits are the policy's numbers and the record's bound.
type Limits struct {
	// Window: a member counts while their latest signal is in (newest - Window, newest],
	// newest being the record's newest signal.
	Window time.Duration
	// Levels are, per kind, the ascending counts at which a level fires. A record keeps,
	// per kind, only the members with the newest signals up to the highest level: the
	// oldest leave the window first, so the count it keeps is min(count, highest), which
	// crosses every level exactly when the real count does.
	Levels [Kinds][]int
}

// Crossing is a level one signal carried its kind's count to.
type Crossing struct {
	Kind Kind
	// Level is the count the level fires at; Members are the members counted then,
	// oldest signal first.
	Level   int
	Members []string
	// Replayed: the signal was recorded before (a redelivery); this is its first pass's
	// crossing.
	Replayed bool
}

// Record is one sender's signals. Its zero value is a sender with none.
type Record struct {
	newest  int64 // ms
	entries []entry
}

type entry struct {
	kind   Kind
	member string
	at     int64 // ms, the latest signal
	// crossed are the levels (bit i: Levels[kind][i]) the signal at at crossed, and
	// members the members counted then, for a redelivery to replay.
	crossed uint64
	members []string
}

// Apply records s in r and returns the levels it crossed (or, for a signal recorded
// before, the levels it crossed the first time).
func (l *Limits) Apply(r *Record, s Signal) []Crossing {
	t := s.At.UnixMilli()
	r.newest = max(r.newest, t)
	horizon := r.newest - l.Window.Milliseconds()
	r.entries = slices.DeleteFunc(r.entries, func(e entry) bool { return e.at <= horizon })
	if t <= horizon {
		return nil // older than the window
	}
	if i := slices.IndexFunc(r.entries, func(e entry) bool { return e.kind == s.Kind && e.member == s.Member }); i >= 0 {
		e := &r.entries[i]
		if e.at == t {
			return l.crossings(e, true)
		}
		if t > e.at { // the member signals again later: counted once, nothing crosses
			e.at, e.crossed, e.members = t, 0, nil
		}
		return nil
	}
	before := r.count(s.Kind)
	r.entries = append(r.entries, entry{kind: s.Kind, member: s.Member, at: t})
	if levels := l.Levels[s.Kind]; before >= max(1, slices.Max(append([]int{0}, levels...))) {
		r.dropOldest(s.Kind)
	}
	after := r.count(s.Kind)
	e := &r.entries[len(r.entries)-1]
	for i, level := range l.Levels[s.Kind] {
		if before < level && level <= after && i < 64 {
			e.crossed |= 1 << i
		}
	}
	if e.crossed != 0 {
		e.members = r.members(s.Kind)
	}
	return l.crossings(e, false)
}

func (l *Limits) crossings(e *entry, replayed bool) []Crossing {
	var out []Crossing
	for i, level := range l.Levels[e.kind] {
		if i < 64 && e.crossed&(1<<i) != 0 {
			out = append(out, Crossing{Kind: e.kind, Level: level, Members: slices.Clone(e.members), Replayed: replayed})
		}
	}
	return out
}

// count is the number of members of kind k.
func (r *Record) count(k Kind) int {
	n := 0
	for _, e := range r.entries {
		if e.kind == k {
			n++
		}
	}
	return n
}

// members are the members of kind k, oldest signal first.
func (r *Record) members(k Kind) []string {
	var es []entry
	for _, e := range r.entries {
		if e.kind == k {
			es = append(es, e)
		}
	}
	slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(a.at, b.at) })
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.member
	}
	return out
}

// dropOldest drops the member of kind k whose signal is the oldest.
func (r *Record) dropOldest(k Kind) {
	oldest := -1
	for i, e := range r.entries {
		if e.kind == k && (oldest < 0 || e.at < r.entries[oldest].at) {
			oldest = i
		}
	}
	if oldest >= 0 {
		r.entries = slices.Delete(r.entries, oldest, oldest+1)
	}
}

// A record's value: the same 9-byte header as a pair's (format byte, token), then newest
// (uvarint ms) and the entries: count, then each kind (byte), member (string), at
// (uvarint ms before newest), crossed (uvarint), members (count, strings).
const (
	format = 1
	// HeaderLen is the length of a value's header: format byte and token.
	HeaderLen = 9
)

// ErrUnreadable is returned by Decode for a value it cannot read.
var ErrUnreadable = errors.New("not a sender record of a known format")

// Encode appends r's value, with token in its header, to dst.
func (r *Record) Encode(dst []byte, token uint64) []byte {
	dst = append(dst, format)
	dst = binary.BigEndian.AppendUint64(dst, token)
	dst = binary.AppendUvarint(dst, uint64(r.newest))
	dst = binary.AppendUvarint(dst, uint64(len(r.entries)))
	for _, e := range r.entries {
		dst = append(dst, byte(e.kind))
		dst = appendString(dst, e.member)
		dst = binary.AppendUvarint(dst, uint64(r.newest-e.at))
		dst = binary.AppendUvarint(dst, e.crossed)
		dst = binary.AppendUvarint(dst, uint64(len(e.members)))
		for _, m := range e.members {
			dst = appendString(dst, m)
		}
	}
	return dst
}

// Decode reads a value Encode wrote. The members it returns share b's memory.
func Decode(b string) (*Record, error) {
	if len(b) < HeaderLen || b[0] != format {
		return nil, ErrUnreadable
	}
	d := decoder{b: b[HeaderLen:]}
	r := &Record{newest: d.int64()}
	n := d.count()
	for i := 0; i < n && d.err == nil; i++ {
		e := entry{kind: Kind(d.byte()), member: d.string()}
		e.at = r.newest - d.int64()
		e.crossed = d.uvarint()
		for range d.count() {
			e.members = append(e.members, d.string())
		}
		if e.kind >= Kinds {
			d.err = ErrUnreadable
		}
		r.entries = append(r.entries, e)
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = ErrUnreadable
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}

type decoder struct {
	b   string
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint([]byte(d.b[:min(len(d.b), binary.MaxVarintLen64)]))
	if n <= 0 {
		d.err = ErrUnreadable
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int64() int64 {
	v := d.uvarint()
	if v > math.MaxInt64 {
		d.err = ErrUnreadable
	}
	return int64(v)
}

// count reads a length, which cannot exceed the bytes left.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err = ErrUnreadable
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = cmp.Or(d.err, ErrUnreadable)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) string() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
