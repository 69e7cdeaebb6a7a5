package streak

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/relance/relance/policy"
)

// A pair's value is binary: a 9-byte header (format byte, 8-byte token that changes on
// every write, which a store compares to detect a concurrent writer), then each direction:
//
//	newest, answered, nudged   uvarint ms
//	peak, off                  uvarint
//	peak attempts              uvarint (format 3)
//	blocked, dismissed         uvarint ms (format 3)
//	outcome                    uvarint (format 3): 0 none yet, k+1 outcomeCodes[k]
//	start                      string (uvarint length, bytes)
//	record count, records      in (sent at, id) order, each:
//	    id                     string
//	    sent at                uvarint ms, as a delta from the previous record's
//	    flags                  byte: 1 seen, 2 unanswered, 4 a view follows
//	    view                   status, count, prev peak, peak, prev off, off (uvarints);
//	                           format 3: attempts, prev peak attempts, peak attempts,
//	                           flags (1: dismissed);
//	                           start id (0 none, 1 a string follows, k+2 record k);
//	                           first unanswered, last message, answered, nudged times
//	                           (0 none, else zigzag(ms - the record's sent at)+1);
//	                           evidence count, record indexes (zigzag deltas);
//	                           format 2: the categories the message was decided with
//	                           (a byte, one bit per category; 0x80: unknown, a view
//	                           first written in format 1)
//
// Views name messages by record index, not by id, which keeps a held message to a few
// dozen bytes however many views name it; a record stays while a view names it.
//
// Format 1 had no categories in views. Decode still reads it (such views replay without
// Streak.Redelivered, so the message's own categories decide). Formats 1 and 2 had no
// attempts: every message was one, so Decode reads their attempts as their counts. Nor
// had they a nudge outcome: a nudged streak they wrote has none decided yet (the next
// event that settles it decides it). Encode writes format 3.
const (
	formatV1 = 1
	formatV2 = 2
	formatV3 = 3
	// HeaderLen is the length of a value's header: format byte and token.
	HeaderLen = 9
)

// categoryBits are the categories a view keeps, one bit each in this order.
var categoryBits = [...]policy.Category{policy.CategoryHate, policy.CategoryInsult, policy.CategorySexual, policy.CategoryThreat}

// categoriesUnknown marks a view whose categories were never stored.
const categoriesUnknown = 0x80

// outcomeCodes are the nudge outcomes a direction keeps, by code (index+1); 0 is none yet.
// Append only: the codes are stored.
var outcomeCodes = [...]string{policy.OutcomeAnswered, policy.OutcomeBlocked, policy.OutcomeReported,
	policy.OutcomeDismissed, policy.OutcomeContinued, policy.OutcomeStopped}

// viewDismissed is a view's flag: the streak was dismissed.
const viewDismissed = 1

const (
	flagSeen = 1 << iota
	flagUnanswered
	flagView
)

// ErrUnreadable is returned by Decode for a value it cannot read: corrupt, or written by
// a format this version does not know.
var ErrUnreadable = errors.New("not a pair value of a known format")

// Encode appends p's value, with token in its header, to dst.
func (p *Pair) Encode(dst []byte, token uint64) []byte {
	dst = append(dst, formatV3)
	dst = binary.BigEndian.AppendUint64(dst, token)
	for i := range p.dirs {
		dst = p.dirs[i].encode(dst)
	}
	return dst
}

func (d *direction) encode(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(d.newest))
	dst = binary.AppendUvarint(dst, uint64(d.answered))
	dst = binary.AppendUvarint(dst, uint64(d.nudged))
	dst = binary.AppendUvarint(dst, uint64(d.peak))
	dst = binary.AppendUvarint(dst, uint64(d.off))
	dst = binary.AppendUvarint(dst, uint64(d.peakAtt))
	dst = binary.AppendUvarint(dst, uint64(d.blocked))
	dst = binary.AppendUvarint(dst, uint64(d.dismissed))
	dst = binary.AppendUvarint(dst, uint64(outcomeCode(d.outcome)))
	dst = appendString(dst, d.start)

	pos := d.markKept()
	kept := 0
	for i := range d.recs {
		if r := &d.recs[i]; r.keep {
			r.index = kept
			kept++
		}
	}

	dst = binary.AppendUvarint(dst, uint64(kept))
	var prevT int64
	for i := range d.recs {
		r := &d.recs[i]
		if !r.keep {
			continue
		}
		dst = appendString(dst, r.id)
		dst = binary.AppendUvarint(dst, uint64(r.t-prevT))
		prevT = r.t
		var flags byte
		if r.seen {
			flags |= flagSeen
		}
		if r.unanswered {
			flags |= flagUnanswered
		}
		v := r.keptView()
		if v != nil {
			flags |= flagView
		}
		dst = append(dst, flags)
		if v != nil {
			dst = encodeView(dst, v, r.catsUnknown, r.t, d.recs, &pos)
		}
	}
	return dst
}

// outcomeCode is outcome's code in a value: 0 for none.
func outcomeCode(outcome string) int {
	for k, o := range outcomeCodes {
		if o == outcome {
			return k + 1
		}
	}
	return 0
}

// markKept marks the records to keep: seen, unanswered or named by a kept view.
func (d *direction) markKept() positions {
	pos := newPositions(d.recs)
	for i := range d.recs {
		r := &d.recs[i]
		r.keep = r.seen || r.unanswered
	}
	for i := range d.recs {
		if v := d.recs[i].keptView(); v != nil {
			pos.keep(v.StartID)
			for _, id := range v.MessageIDs {
				pos.keep(id)
			}
		}
	}
	return pos
}

// positions finds a record by id: a map beyond the usual few records, else a scan from
// where the last lookup ended, since ids are mostly looked up in record order (a view's
// evidence is its oldest unanswered messages, oldest first): a view's ids cost a pass
// over the records, not one each.
type positions struct {
	recs []record
	byID map[string]int
	next int
}

func newPositions(recs []record) positions {
	p := positions{recs: recs}
	if len(recs) > 32 {
		p.byID = make(map[string]int, len(recs))
		for i := range recs {
			p.byID[recs[i].id] = i
		}
	}
	return p
}

// of is the position of id's record, -1 if none.
func (p *positions) of(id string) int {
	if p.byID != nil {
		if i, ok := p.byID[id]; ok {
			return i
		}
		return -1
	}
	for k := range p.recs {
		i := p.next + k
		if i >= len(p.recs) {
			i -= len(p.recs)
		}
		if p.recs[i].id == id {
			p.next = i + 1
			return i
		}
	}
	return -1
}

// keep marks id's record, if any, to be written.
func (p *positions) keep(id string) {
	if k := p.of(id); k >= 0 {
		p.recs[k].keep = true
	}
}

// keptView is the record's view if it is stored: views live as long as their message is
// seen.
func (r *record) keptView() *policy.Streak {
	if r.seen {
		return r.view
	}
	return nil
}

func encodeView(dst []byte, v *policy.Streak, unknown bool, t int64, recs []record, pos *positions) []byte {
	flags := 0
	if v.Dismissed {
		flags |= viewDismissed
	}
	for _, n := range []int{int(v.Status), v.Count, v.PrevPeak, v.Peak, v.PrevOffensive, v.Offensive,
		v.Attempts, v.PrevPeakAttempts, v.PeakAttempts, flags} {
		dst = binary.AppendUvarint(dst, uint64(n))
	}
	switch k := pos.of(v.StartID); {
	case v.StartID == "":
		dst = append(dst, 0)
	case k >= 0:
		dst = binary.AppendUvarint(dst, uint64(recs[k].index)+2)
	default:
		dst = append(dst, 1)
		dst = appendString(dst, v.StartID)
	}
	for _, at := range []time.Time{v.FirstUnansweredAt, v.LastMessageAt, v.AnsweredAt, v.NudgedAt} {
		if at.IsZero() {
			dst = append(dst, 0)
			continue
		}
		dst = binary.AppendUvarint(dst, zigzag(at.UnixMilli()-t)+1)
	}
	dst = binary.AppendUvarint(dst, uint64(len(v.MessageIDs)))
	prev := 0
	for _, id := range v.MessageIDs {
		k := recs[pos.of(id)].index // every evidence id has a record, kept as it is named
		dst = binary.AppendUvarint(dst, zigzag(int64(k-prev)))
		prev = k
	}
	var bits byte
	for i, c := range categoryBits {
		if slices.Contains(v.Categories, c) {
			bits |= 1 << i
		}
	}
	if unknown {
		bits = categoriesUnknown
	}
	return append(dst, bits)
}

// Decode reads a value written by Encode, of this format or an earlier one. The ids it
// returns share b's memory.
func Decode(b string) (*Pair, error) {
	p := &Pair{}
	if err := p.Decode(b); err != nil {
		return nil, err
	}
	return p, nil
}

// Decode replaces p with the pair b holds, as Decode(b) returns it, reusing the memory
// of p's records: a store decoding pair after pair keeps one Pair for them. p must not be
// in use elsewhere (nothing Limits.Apply returns refers to it). On error, p is empty.
func (p *Pair) Decode(b string) error {
	p.Reset()
	if len(b) < HeaderLen || b[0] < formatV1 || b[0] > formatV3 {
		return ErrUnreadable
	}
	r := reader{b: b[HeaderLen:], format: b[0]}
	for i := range p.dirs {
		r.direction(&p.dirs[i])
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = ErrUnreadable
	}
	if r.err != nil {
		p.Reset()
		return r.err
	}
	return nil
}

// Reset empties p, as a new Pair, keeping its records' memory for Decode.
func (p *Pair) Reset() {
	for i := range p.dirs {
		d := &p.dirs[i]
		clear(d.recs) // what they name may be freed
		*d = direction{recs: d.recs[:0]}
	}
}

// reader decodes a value; the first error sticks and later reads return zeros.
type reader struct {
	b      string
	format byte
	err    error
}

// pendingView is a view read before the records it names: its evidence is refs[from:to].
type pendingView struct {
	rec      int
	view     *policy.Streak
	startRef int // -1: none
	from, to int
	// catsUnknown: the view keeps no categories (format 1).
	catsUnknown bool
}

// direction reads d, empty (Reset), into d.recs's memory.
func (r *reader) direction(d *direction) {
	d.newest, d.answered, d.nudged = r.int64(), r.int64(), r.int64()
	d.peak, d.off = r.int(), r.int()
	d.peakAtt = d.peak
	if r.format >= formatV3 {
		d.peakAtt, d.blocked, d.dismissed = r.int(), r.int64(), r.int64()
		switch k := r.int(); {
		case k > len(outcomeCodes):
			r.fail() // an outcome this version does not know
		case k > 0:
			d.outcome = outcomeCodes[k-1]
		}
	}
	d.start = r.string()
	n := r.int()
	if n > len(r.b) { // every record takes at least 3 bytes
		r.fail()
		return
	}
	d.recs = slices.Grow(d.recs, n+1) // room for the message a store usually applies next
	// One allocation each for the direction's views, their pending references and ids.
	var views []policy.Streak
	var pending []pendingView
	var refs []int
	var t int64
	for i := 0; i < n && r.err == nil; i++ {
		id := r.string()
		t += r.int64()
		flags := r.byte()
		if flags&^(flagSeen|flagUnanswered|flagView) != 0 ||
			(i > 0 && compareRecords(d.recs[i-1], record{id: id, t: t}) >= 0) {
			r.fail() // unknown flags, or records out of (sent at, id) order
		}
		d.recs = append(d.recs, record{id: id, t: t, seen: flags&flagSeen != 0, unanswered: flags&flagUnanswered != 0})
		if flags&flagView != 0 {
			if views == nil {
				views = make([]policy.Streak, 0, n-i) // at most one per record: never grows
				pending = make([]pendingView, 0, n-i)
			}
			views = append(views, policy.Streak{})
			pending = append(pending, pendingView{rec: i, view: &views[len(views)-1], startRef: -1})
			refs = r.view(&pending[len(pending)-1], t, refs)
		}
	}
	if r.err == nil && hasDuplicateIDs(d.recs) {
		r.fail()
	}
	if r.err != nil {
		return
	}
	ids := make([]string, len(refs))
	for i, k := range refs {
		ids[i] = r.ref(d, k)
	}
	for _, pv := range pending {
		if pv.startRef >= 0 {
			pv.view.StartID = r.ref(d, pv.startRef)
		}
		if pv.to > pv.from {
			pv.view.MessageIDs = ids[pv.from:pv.to:pv.to]
		}
		d.recs[pv.rec].view = pv.view
		d.recs[pv.rec].catsUnknown = pv.catsUnknown
	}
}

// hasDuplicateIDs reports whether two records have one id, which this package never writes.
func hasDuplicateIDs(recs []record) bool {
	if len(recs) <= 32 {
		// Quadratic, without allocating, for the usual few records, on hashes: most ids
		// have one length and a common prefix, which makes comparing them slow.
		var hashes [32]uint64
		for i := range recs {
			h := fnv64(recs[i].id)
			for j := range i {
				if hashes[j] == h && recs[i].id == recs[j].id {
					return true
				}
			}
			hashes[i] = h
		}
		return false
	}
	ids := make(map[string]bool, len(recs))
	for i := range recs {
		if ids[recs[i].id] {
			return true
		}
		ids[recs[i].id] = true
	}
	return false
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// view reads a view into pv, appending the records it names to refs.
func (r *reader) view(pv *pendingView, t int64, refs []int) []int {
	v := pv.view
	v.Status, v.Count, v.PrevPeak, v.Peak = policy.Status(r.int()), r.int(), r.int(), r.int()
	v.PrevOffensive, v.Offensive = r.int(), r.int()
	v.Attempts, v.PrevPeakAttempts, v.PeakAttempts = v.Count, v.PrevPeak, v.Peak
	if r.format >= formatV3 {
		v.Attempts, v.PrevPeakAttempts, v.PeakAttempts = r.int(), r.int(), r.int()
		flags := r.int()
		if flags&^viewDismissed != 0 {
			r.fail() // a flag this version does not know
		}
		v.Dismissed = flags&viewDismissed != 0
	}
	switch s := r.int(); s {
	case 0:
	case 1:
		v.StartID = r.string()
	default:
		pv.startRef = s - 2
	}
	for _, at := range [...]*time.Time{&v.FirstUnansweredAt, &v.LastMessageAt, &v.AnsweredAt, &v.NudgedAt} {
		if z := r.uvarint(); z > 0 {
			*at = msTime(t + unzigzag(z-1))
		}
	}
	n := r.int()
	if n > len(r.b)+1 {
		r.fail()
		return refs
	}
	pv.from = len(refs)
	refs = slices.Grow(refs, n)
	k := 0
	for range n {
		k += int(unzigzag(r.uvarint()))
		refs = append(refs, k)
	}
	pv.to = len(refs)
	if r.format == formatV1 {
		pv.catsUnknown = true
		return refs
	}
	bits := r.byte()
	if bits == categoriesUnknown {
		pv.catsUnknown = true
		return refs
	}
	if bits>>len(categoryBits) != 0 {
		r.fail() // a category this version does not know
	}
	for i, c := range categoryBits {
		if bits&(1<<i) != 0 {
			v.Categories = append(v.Categories, c)
		}
	}
	return refs
}

// ref is the id of record k.
func (r *reader) ref(d *direction, k int) string {
	if k < 0 || k >= len(d.recs) {
		r.fail()
		return ""
	}
	return d.recs[k].id
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = ErrUnreadable
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) > 0 && r.b[0] < 0x80 { // most numbers take a byte
		c := r.b[0]
		r.b = r.b[1:]
		return uint64(c)
	}
	var v uint64
	for i := 0; i < len(r.b) && i < binary.MaxVarintLen64; i++ {
		c := r.b[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			r.b = r.b[i+1:]
			return v | uint64(c)<<(7*i)
		}
		v |= uint64(c&0x7f) << (7 * i)
	}
	r.fail()
	return 0
}

func (r *reader) int64() int64 {
	v := r.uvarint()
	if v > math.MaxInt64 {
		r.fail()
		return 0
	}
	return int64(v)
}

func (r *reader) int() int {
	v := r.uvarint()
	if v > math.MaxInt32 {
		r.fail()
		return 0
	}
	return int(v)
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) string() string {
	n := r.int()
	if r.err != nil || n > len(r.b) {
		r.fail()
		return ""
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
