package state

import (
	"slices"
	"strings"

	"github.com/relance/relance/policy"
)

// pair is the state of one unordered pair of members {a, b}, a < b in byte order, as one
// Redis value holds it: dirs[0] is a→b, dirs[1] is b→a. The store reads it, applies a
// batch's observations of the pair to it in Go, and writes it back in one command.
type pair struct {
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
	// reached Config.NudgeAt (ms, 0 if not yet).
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
	// view is the Streak a redelivery of id replays (nil: nothing worth storing).
	view *policy.Streak
	// keep and index are encode's scratch: whether the record is written, and its number.
	keep  bool
	index int
}

// limits are the Config values the algorithm needs, as integers.
type limits struct {
	levels                                            []int // empty: every count up to rememberUpTo
	window                                            int64 // ms
	nudgeAt, rememberUpTo, maxUnanswered, maxEvidence int
}

// apply records o, sent by the member of direction fwd to the member of direction back,
// and returns the fwd streak. It is the whole algorithm: the store only moves pairs
// between Redis and here.
func (l *limits) apply(fwd, back *direction, o policy.Observation) policy.Streak {
	t := o.SentAt.UnixMilli()

	// 1. The sender writing (message or reply) answers the recipient's messages sent at or
	// before t. answered is always kept, so a late message from the recipient is
	// recognised.
	back.answered = max(back.answered, t)
	if back.unanswer(func(r *record) bool { return r.t <= t }) > 0 {
		// The recipient's streak ends; their messages sent after the answer stay
		// unanswered and carry on as a new streak whose peak is their count, so levels
		// they already fired stay fired.
		back.peak, back.off, back.start, back.nudged = back.count(), 0, "", 0
		if first := back.first(); first != nil {
			back.start = first.id
		}
	}

	// 2. A reply only answers.
	if o.Action != policy.ActionMessage {
		return policy.Streak{Status: policy.StatusAnswer}
	}

	// 3. A message. A redelivery gets the view stored on its first pass, if any.
	if r := fwd.find(o.MessageID); r != nil && r.seen {
		if r.view == nil {
			return policy.Streak{Status: policy.StatusDuplicate, Count: fwd.count()}
		}
		s := *r.view
		s.MessageIDs = slices.Clone(s.MessageIDs)
		// A counted message replays as such; a late one keeps its status.
		if s.Status == policy.StatusCounted {
			s.Status = policy.StatusReplayed
		}
		return s
	}

	newest, answered := max(fwd.newest, t), fwd.answered

	// Sent at or before the recipient's latest answer: answered already, never counted.
	if t <= answered {
		r := fwd.markSeen(o.MessageID, t, newest-l.window)
		s := policy.Streak{Status: policy.StatusLate, AnsweredAt: msTime(answered)}
		// An offensive late message raises a content alert whose severity depends on
		// when the recipient answered: remember it, so a redelivery decides the same.
		if o.Offensive && r.seen {
			r.view = &s
		}
		return s
	}

	// Older than the window that ends at the pair's newest event.
	if t <= newest-l.window {
		fwd.markSeen(o.MessageID, t, newest-l.window)
		return policy.Streak{Status: policy.StatusStale}
	}

	// The window is (newest - window, newest]; older messages slide out. When none is
	// left, the previous streak is over and this message starts a new one.
	fwd.unanswer(func(r *record) bool { return r.t <= newest-l.window })
	if fwd.count() == 0 {
		fwd.peak, fwd.off, fwd.start, fwd.nudged = 0, 0, o.MessageID, 0
	}
	fwd.upsert(o.MessageID, t).unanswered = true
	count := fwd.count()
	if count > l.maxUnanswered {
		drop := count - l.maxUnanswered
		fwd.unanswer(func(*record) bool { drop--; return drop >= 0 })
		count = l.maxUnanswered
	}

	prevPeak, prevOff := fwd.peak, fwd.off
	fwd.peak = max(fwd.peak, count)
	if o.Offensive {
		fwd.off++
	}
	if prevPeak < l.nudgeAt && l.nudgeAt <= fwd.peak {
		fwd.nudged = t
	}
	fwd.newest = newest
	r := fwd.markSeen(o.MessageID, t, newest-l.window)

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
		MessageIDs:    fwd.evidence(l.maxEvidence),
	}
	if first := fwd.first(); first != nil {
		s.FirstUnansweredAt = msTime(first.t)
	}
	// Remember the view a redelivery must replay: when a level may have fired (the peak
	// grew while still small enough to matter) or the content rules fired.
	if l.remembers(prevPeak, fwd.peak) || o.Offensive {
		v := s
		v.MessageIDs = slices.Clone(s.MessageIDs)
		r.view = &v
	}
	return s
}

// applyTo records o in p, whose first member in byte order is low, and returns the
// sender→recipient streak.
func (l *limits) applyTo(p *pair, low string, o policy.Observation) policy.Streak {
	fwd := 0
	if o.SenderID != low {
		fwd = 1
	}
	return l.apply(&p.dirs[fwd], &p.dirs[1-fwd], o)
}

// remembers reports whether a peak going from prev to peak may have fired a level.
func (l *limits) remembers(prev, peak int) bool {
	if peak <= prev || prev >= l.rememberUpTo {
		return false
	}
	if len(l.levels) == 0 {
		return peak <= l.rememberUpTo
	}
	return slices.ContainsFunc(l.levels, func(level int) bool { return prev < level && level <= peak })
}

// markSeen records id (sent at t) for redelivery detection, and forgets the ids and views
// of messages sent at or before horizon. It returns id's record.
func (d *direction) markSeen(id string, t, horizon int64) *record {
	d.upsert(id, t).seen = true
	for i := range d.recs {
		if r := &d.recs[i]; r.seen && r.t <= horizon {
			r.seen, r.view = false, nil
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
