package streak

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relance/relance/policy"
)

// Pair is the state of one unordered pair of members {a, b}, a < b in byte order: dirs[0]
// is a→b, dirs[1] is b→a. Its zero value is a pair with no history. A store decodes it,
// applies a batch's observations of the pair to it with Limits.Apply, and encodes it back.
type Pair struct {
	dirs [2]direction
}

// direction is what the store knows of the messages from one member to the other.
type direction struct {
	// newest is the newest event time (ms) of a counted message; the window ends there.
	newest int64
	// answered is the other member's latest answer (ms): messages sent at or before it are
	// answered.
	answered int64
	// peak and off are the current streak's highest unanswered count and its offensive
	// messages; start is the id of the message that started it, nudged when it first
	// reached Limits.NudgeAt (ms, 0 if not yet).
	peak, off int
	start     string
	nudged    int64
	// recs are the messages known in the window, in (sent at, id) order: those seen (for
	// redelivery), those unanswered, and those a stored view still names. A message id
	// has at most one record.
	recs []record
}

// record is one message from the direction's sender.
type record struct {
	id string
	t  int64 // sent at, ms
	// seen: a redelivery of id is recognised. unanswered: id counts in the streak.
	seen, unanswered bool
	// view is the Streak a redelivery of id replays (nil: nothing worth storing), with the
	// categories the message was decided with in view.Categories. catsUnknown: the view
	// was first written in format 1, which did not keep them.
	view        *policy.Streak
	catsUnknown bool
	// keep and index are encode's scratch: whether the record is written, and its number.
	keep  bool
	index int
}

// Limits are the policy's numbers the algorithm needs, and the bounds that keep a pair's
// state small whatever one member does.
type Limits struct {
	// Window is the sliding window: a direction's unanswered messages are those sent in
	// (newest - Window, newest], newest being its newest message's event time.
	Window time.Duration
	// NudgeAt is the count whose first reach in a streak is recorded as Streak.NudgedAt.
	NudgeAt int
	// Levels are the counts at which the policy fires, ascending: a counted message's
	// Streak is stored for redelivery when it raised the peak to one of them (or it is
	// offensive). A redelivery of any other message is StatusDuplicate, which decides the
	// same: no level fires.
	Levels []int
	// MaxUnanswered caps the unanswered messages tracked per direction (the oldest are
	// dropped beyond it); MaxEvidence caps Streak.MessageIDs (the oldest are kept).
	MaxUnanswered, MaxEvidence int
}

// Default bounds of Limits.
const (
	DefaultMaxUnanswered = 1000
	DefaultMaxEvidence   = 50
)

// LimitsFor are pol's numbers with the default bounds.
func LimitsFor(pol *policy.Policy) Limits {
	return Limits{
		Window:        pol.Window(),
		NudgeAt:       pol.NudgeAt(),
		Levels:        pol.Levels(),
		MaxUnanswered: DefaultMaxUnanswered,
		MaxEvidence:   DefaultMaxEvidence,
	}
}

// Validate reports the first limit that cannot work.
func (l Limits) Validate() error {
	switch {
	case l.Window < time.Millisecond || l.Window%time.Millisecond != 0:
		return fmt.Errorf("streak: window %s: must be a whole number of milliseconds, at least 1", l.Window)
	case l.NudgeAt < 1:
		return fmt.Errorf("streak: nudge count %d: must be at least 1", l.NudgeAt)
	case len(l.Levels) == 0 || !slices.IsSorted(l.Levels) || l.Levels[0] < 1:
		return fmt.Errorf("streak: levels %v: must be ascending counts of at least 1", l.Levels)
	case l.MaxUnanswered < 1 || l.MaxUnanswered > 1_000_000:
		return fmt.Errorf("streak: max unanswered %d: must be between 1 and 1000000", l.MaxUnanswered)
	case l.MaxEvidence < 1 || l.MaxEvidence > 10_000:
		return fmt.Errorf("streak: max evidence %d: must be between 1 and 10000", l.MaxEvidence)
	}
	return nil
}

// Apply records o in p, whose first member in byte order is low, and returns the
// sender→recipient streak. It is the whole algorithm: a store only moves pairs between its
// storage and here. o must be valid (policy.Observation.Validate).
func (l *Limits) Apply(p *Pair, low string, o policy.Observation) policy.Streak {
	fwd, back := &p.dirs[0], &p.dirs[1]
	if o.SenderID != low {
		fwd, back = back, fwd
	}
	t := o.SentAt.UnixMilli()
	switch o.Action {
	case policy.ActionReply:
		back.answer(t)
		return policy.Streak{Status: policy.StatusAnswer}
	case policy.ActionMessage:
		back.answer(t) // a message to the other member answers them too
		return l.message(fwd, o, t)
	}
	panic(fmt.Sprintf("streak: Apply: %s not handled", o.Action)) // caught by TestApplyHandlesEveryAction
}

// answer records the other member writing at t: the direction's messages sent at or before
// t are answered. answered is always kept, so a late message of this direction is
// recognised.
func (d *direction) answer(t int64) {
	d.answered = max(d.answered, t)
	if d.unanswer(func(r *record) bool { return r.t <= t }) > 0 {
		// The streak ends; messages sent after the answer stay unanswered and carry on as
		// a new streak whose peak is their count, so levels they already fired stay fired.
		d.peak, d.off, d.start, d.nudged = d.count(), 0, "", 0
		if first := d.first(); first != nil {
			d.start = first.id
		}
	}
}

// message records a message of direction fwd sent at t and returns its streak.
func (l *Limits) message(fwd *direction, o policy.Observation, t int64) policy.Streak {
	window := l.Window.Milliseconds()

	// A redelivery gets the view stored on its first pass, if any.
	if r := fwd.find(o.MessageID); r != nil && r.seen {
		if r.view == nil {
			// Nothing was stored, so the first pass was not offensive: no categories.
			return policy.Streak{Status: policy.StatusDuplicate, Count: fwd.count(), Redelivered: true}
		}
		s := *r.view
		s.MessageIDs = slices.Clone(s.MessageIDs)
		s.Categories = slices.Clone(s.Categories)
		s.Redelivered = !r.catsUnknown
		// A counted message replays as such; a late one keeps its status.
		if s.Status == policy.StatusCounted {
			s.Status = policy.StatusReplayed
		}
		return s
	}

	newest, answered := max(fwd.newest, t), fwd.answered

	// Sent at or before the recipient's latest answer: answered already, never counted.
	if t <= answered {
		r := fwd.markSeen(o.MessageID, t, newest-window)
		s := policy.Streak{Status: policy.StatusLate, AnsweredAt: msTime(answered)}
		// An offensive late message raises a content alert whose severity depends on
		// when the recipient answered: remember it, so a redelivery decides the same.
		if o.Offensive() && r.seen {
			v := s
			v.Categories = slices.Clone(o.Categories)
			r.view, r.catsUnknown = &v, false
		}
		return s
	}

	// Older than the window that ends at the pair's newest event.
	if t <= newest-window {
		fwd.markSeen(o.MessageID, t, newest-window)
		return policy.Streak{Status: policy.StatusStale}
	}

	// The window is (newest - window, newest]; older messages slide out. When none is
	// left, the previous streak is over and this message starts a new one.
	fwd.unanswer(func(r *record) bool { return r.t <= newest-window })
	if fwd.count() == 0 {
		fwd.peak, fwd.off, fwd.start, fwd.nudged = 0, 0, o.MessageID, 0
	}
	fwd.upsert(o.MessageID, t).unanswered = true
	count := fwd.count()
	if count > l.MaxUnanswered {
		drop := count - l.MaxUnanswered
		fwd.unanswer(func(*record) bool { drop--; return drop >= 0 })
		count = l.MaxUnanswered
	}

	prevPeak, prevOff := fwd.peak, fwd.off
	fwd.peak = max(fwd.peak, count)
	if o.Offensive() {
		fwd.off++
	}
	if prevPeak < l.NudgeAt && l.NudgeAt <= fwd.peak {
		fwd.nudged = t
	}
	fwd.newest = newest
	r := fwd.markSeen(o.MessageID, t, newest-window)

	s := policy.Streak{
		Status:        policy.StatusCounted,
		Count:         count,
		PrevPeak:      prevPeak,
		Peak:          fwd.peak,
		PrevOffensive: prevOff,
		Offensive:     fwd.off,
		StartID:       fwd.start,
		LastMessageAt: msTime(newest),
		AnsweredAt:    msTime(answered),
		NudgedAt:      msTime(fwd.nudged),
		MessageIDs:    fwd.evidence(l.MaxEvidence),
	}
	if first := fwd.first(); first != nil {
		s.FirstUnansweredAt = msTime(first.t)
	}
	// Remember the view a redelivery must replay: when a level may have fired or the
	// content rules fired.
	if l.remembers(prevPeak, fwd.peak) || o.Offensive() {
		v := s
		v.MessageIDs = slices.Clone(s.MessageIDs)
		v.Categories = slices.Clone(o.Categories)
		r.view, r.catsUnknown = &v, false
	}
	return s
}

// remembers reports whether a peak going from prev to peak fired a level.
func (l *Limits) remembers(prev, peak int) bool {
	return slices.ContainsFunc(l.Levels, func(level int) bool { return prev < level && level <= peak })
}

// markSeen records id (sent at t) for redelivery detection, and forgets the ids and views
// of messages sent at or before horizon. It returns id's record.
func (d *direction) markSeen(id string, t, horizon int64) *record {
	d.upsert(id, t).seen = true
	for i := range d.recs {
		if r := &d.recs[i]; r.seen && r.t <= horizon {
			r.seen, r.view, r.catsUnknown = false, nil, false
		}
	}
	return d.find(id)
}

// unanswer takes the unanswered messages for which drop is true, oldest first, out of the
// streak and returns how many it took.
func (d *direction) unanswer(drop func(*record) bool) int {
	n := 0
	for i := range d.recs {
		if r := &d.recs[i]; r.unanswered && drop(r) {
			r.unanswered = false
			n++
		}
	}
	return n
}

// count is the number of unanswered messages.
func (d *direction) count() int {
	n := 0
	for i := range d.recs {
		if d.recs[i].unanswered {
			n++
		}
	}
	return n
}

// first is the oldest unanswered message, nil if none.
func (d *direction) first() *record {
	for i := range d.recs {
		if d.recs[i].unanswered {
			return &d.recs[i]
		}
	}
	return nil
}

// evidence is the ids of the oldest n unanswered messages, oldest first.
func (d *direction) evidence(n int) []string {
	var ids []string
	for i := range d.recs {
		if len(ids) == n {
			break
		}
		if d.recs[i].unanswered {
			ids = append(ids, d.recs[i].id)
		}
	}
	return ids
}

// find returns id's record, nil if none.
func (d *direction) find(id string) *record {
	for i := range d.recs {
		if d.recs[i].id == id {
			return &d.recs[i]
		}
	}
	return nil
}

// upsert returns id's record, created if missing, sent at t, kept in (t, id) order. The
// returned pointer is valid until the next upsert.
func (d *direction) upsert(id string, t int64) *record {
	if i := slices.IndexFunc(d.recs, func(r record) bool { return r.id == id }); i >= 0 {
		if d.recs[i].t == t {
			return &d.recs[i]
		}
		r := d.recs[i]
		d.recs = slices.Delete(d.recs, i, i+1)
		r.t = t
		return d.insert(r)
	}
	return d.insert(record{id: id, t: t})
}

func (d *direction) insert(r record) *record {
	i, _ := slices.BinarySearchFunc(d.recs, r, compareRecords)
	d.recs = slices.Insert(d.recs, i, r)
	return &d.recs[i]
}

// compareRecords orders records as a Redis sorted set scored by sent at would.
func compareRecords(a, b record) int {
	switch {
	case a.t < b.t:
		return -1
	case a.t > b.t:
		return 1
	}
	return strings.Compare(a.id, b.id)
}

// msTime turns a stored time into a UTC time; 0 means none.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
