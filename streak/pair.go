package streak

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
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
	// answered. blocked is their latest block (ms): it ends the streak as an answer does,
	// without being one. dismissed is when they said all is fine during the current
	// streak (ms, 0 if not).
	answered, blocked, dismissed int64
	// peak and peakAtt are the current streak's highest unanswered count and attempts, off
	// its offensive messages; start is the id of the message that started it, nudged when
	// it first reached Limits.Nudge (ms, 0 if not yet), and outcome, once nudged, what
	// followed the nudge (one of policy.Outcomes, "" until decided: see settle).
	peak, peakAtt, off int
	start              string
	nudged             int64
	outcome            string
	// recs are the messages known in the window, in (sent at, id) order: those seen (for
	// redelivery), those unanswered, and those a stored view still names. A message id
	// has at most one record.
	recs []record

	// Derived from recs, never encoded: live is the number of records seen or unanswered
	// and cost their encoded bytes (recordCost); unans the unanswered records; views the
	// stored views; lo a hint: no record before recs[lo] is seen or unanswered. at maps
	// ids to sent at once recs is long, so find is a lookup and a binary search.
	cost, unans, views, viewBytes, lo, ulo, compactAt int
	at                                                map[string]int64
	derived                                           bool
	// atts is the number of attempts the unanswered records form when attsOK, anchor the
	// first message of the last of them and lastU the newest unanswered message's sent at:
	// a message appended after every other extends them without a scan. burst is
	// Limits.Burst in ms.
	atts                 int
	anchor, lastU, burst int64
	attsOK               bool
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
	// Burst groups the unanswered messages into attempts (policy.Threshold): a message
	// sent less than Burst after an attempt's first message belongs to it. Zero makes
	// every message an attempt.
	Burst time.Duration
	// Nudge is the threshold whose first reach in a streak is recorded as Streak.NudgedAt.
	Nudge policy.Threshold
	// Levels are the thresholds at which the policy fires: a counted message's Streak is
	// stored for redelivery when it carried the peaks to one of them (or it is offensive).
	// A redelivery of any other message is StatusDuplicate, which decides the same: no
	// level fires.
	Levels []policy.Threshold
	// MaxUnanswered caps the unanswered messages tracked per direction (the oldest are
	// dropped beyond it); MaxEvidence caps Streak.MessageIDs (the oldest are kept).
	MaxUnanswered, MaxEvidence int
	// MaxRecordBytes caps the encoded bytes of the records a direction keeps seen or
	// unanswered (recordCost each: the id and at most 8 bytes); beyond it the oldest are
	// forgotten, seen and unanswered alike. MaxViews caps the stored views per direction
	// beyond one per level (offensive messages' views); beyond it the oldest view is
	// forgotten and its message's redelivery is StatusDuplicate. MaxViewBytes caps the
	// same views by viewCost (what they and the records they name can take), the oldest
	// forgotten first. Zero means the default.
	MaxRecordBytes, MaxViews, MaxViewBytes int
}

// Default bounds of Limits.
const (
	DefaultMaxUnanswered = 1000
	DefaultMaxEvidence   = 50
	// 20 KiB of records is 1,000 ids of 12 bytes, 440 UUIDs or 150 ids of 128 bytes per
	// direction; with 8 views per direction a pair's value stays well under 64 KiB.
	DefaultMaxRecordBytes = 20 << 10
	DefaultMaxViews       = 8
	// 11 KiB of views holds the views of levels at 10, 20 and 40 messages with ids of 128
	// bytes. Per direction: at most 180 bytes of counts and start id, records and views:
	// 9 + 2*(180 + 20480 + 11264) = 63,857 bytes, under 64 KiB.
	DefaultMaxViewBytes = 11 << 10
)

// viewCost bounds what a view adds to a value: its own fields (at most 96 bytes), its
// evidence references (at most 3 bytes each), and the records it names, should they be
// kept for it alone.
func viewCost(v *policy.Streak) int {
	c := 96 + recordCost(v.StartID)
	for _, id := range v.MessageIDs {
		c += recordCost(id) + 3
	}
	return c
}

// recordCost bounds a record's encoded bytes: id, its length (2 bytes for 128), sent at
// as a delta (5 bytes for a week) and flags.
func recordCost(id string) int { return len(id) + 8 }

// LimitsFor are pol's numbers with the default bounds.
func LimitsFor(pol *policy.Policy) Limits {
	return Limits{
		Window:        pol.Window(),
		Burst:         pol.Burst(),
		Nudge:         pol.Nudge(),
		Levels:        pol.Thresholds(),
		MaxUnanswered: DefaultMaxUnanswered,
		MaxEvidence:   DefaultMaxEvidence,
	}
}

// Validate reports the first limit that cannot work.
func (l Limits) Validate() error {
	switch {
	case l.Window < time.Millisecond || l.Window%time.Millisecond != 0:
		return fmt.Errorf("streak: window %s: must be a whole number of milliseconds, at least 1", l.Window)
	case l.Burst < 0 || l.Burst >= l.Window || l.Burst%time.Millisecond != 0:
		return fmt.Errorf("streak: burst %s: must be a whole number of milliseconds, at least 0 and shorter than the window", l.Burst)
	case !valid(l.Nudge):
		return fmt.Errorf("streak: nudge %+v: needs a count of attempts or messages, none negative", l.Nudge)
	case len(l.Levels) == 0 || slices.ContainsFunc(l.Levels, func(t policy.Threshold) bool { return !valid(t) }):
		return fmt.Errorf("streak: levels %+v: each needs a count of attempts or messages, none negative", l.Levels)
	case l.MaxUnanswered < 1 || l.MaxUnanswered > 1_000_000:
		return fmt.Errorf("streak: max unanswered %d: must be between 1 and 1000000", l.MaxUnanswered)
	case l.MaxEvidence < 1 || l.MaxEvidence > 10_000:
		return fmt.Errorf("streak: max evidence %d: must be between 1 and 10000", l.MaxEvidence)
	case l.MaxRecordBytes != 0 && (l.MaxRecordBytes < 4096 || l.MaxRecordBytes > 1<<20):
		return fmt.Errorf("streak: max record bytes %d: must be 0 (the default) or between 4096 and 1048576", l.MaxRecordBytes)
	case l.MaxViewBytes != 0 && (l.MaxViewBytes < 4096 || l.MaxViewBytes > 1<<20):
		return fmt.Errorf("streak: max view bytes %d: must be 0 (the default) or between 4096 and 1048576", l.MaxViewBytes)
	case l.MaxViews < 0 || l.MaxViews > 1000:
		return fmt.Errorf("streak: max views %d: must be between 0 (the default) and 1000", l.MaxViews)
	}
	return nil
}

// valid reports whether t can be reached and has no negative count.
func valid(t policy.Threshold) bool {
	return t.Attempts >= 0 && t.Messages >= 0 && t.Attempts+t.Messages > 0
}

// Apply records o in p, whose first member in byte order is low, and returns the
// sender→recipient streak. It is the whole algorithm: a store only moves pairs between its
// storage and here. o must be valid (policy.Observation.Validate). Its cost does not grow
// with the pair's history: finding a message is a lookup, and what it scans it scans from
// where the live records begin.
func (l *Limits) Apply(p *Pair, low string, o policy.Observation) policy.Streak {
	fwd, back := &p.dirs[0], &p.dirs[1]
	if o.SenderID != low {
		fwd, back = back, fwd
	}
	fwd.derive(l.Burst.Milliseconds())
	back.derive(l.Burst.Milliseconds())
	t := o.SentAt.UnixMilli()
	s := l.apply(fwd, back, o, t)
	// The other direction's messages leave the window too, though their sender has not
	// written since: its ids, times and kept decisions older than the window that ends at
	// the pair's newest event go now, not only when it writes again (every write of the
	// pair keeps its key alive, so they would outlive the retention otherwise). Only those
	// answered or blocked, though: a redelivery of one comes back late, never counted
	// again, as one older than its own direction's window comes back stale.
	l.forgetBefore(back, min(max(fwd.newest, back.newest, t)-l.Window.Milliseconds(), max(back.answered, back.blocked)))
	return s
}

// apply is Apply's transition for o, sent at t, of direction fwd (back the other).
func (l *Limits) apply(fwd, back *direction, o policy.Observation, t int64) policy.Streak {
	switch o.Action {
	case policy.ActionReply:
		return policy.Streak{Status: policy.StatusAnswer, NudgeOutcome: l.answer(back, t)}
	case policy.ActionMessage:
		answered := l.answer(back, t) // a message to the other member answers them too
		s := l.message(fwd, o, t)
		// The two directions cannot both hold unanswered messages (each one's are newer
		// than the other's latest), so at most one outcome is fixed; the answer's first.
		s.NudgeOutcome = cmp.Or(answered, s.NudgeOutcome)
		return s
	case policy.ActionDismiss, policy.ActionBlock, policy.ActionUnblock, policy.ActionReport:
		return l.act(fwd, o, t)
	}
	panic(fmt.Sprintf("streak: Apply: %s not handled", o.Action)) // caught by TestApplyHandlesEveryAction
}

// forgetBefore forgets the ids (and the decisions kept with them) of d's messages and
// actions sent at or before horizon, as markSeen does for the direction written.
func (l *Limits) forgetBefore(d *direction, horizon int64) {
	if d.lo >= len(d.recs) || d.recs[d.lo].t > horizon {
		return // the common case: nothing that old
	}
	for k := d.lo; k < len(d.recs) && d.recs[k].t <= horizon; k++ {
		if r := &d.recs[k]; r.seen {
			d.setFlags(k, false, r.unanswered)
		}
	}
	d.advance()
	if len(d.recs) > d.compactAt {
		d.compact()
	}
}

// answer records the other member writing at t: the direction's messages sent at or before
// t are answered. answered is always kept, so a late message of this direction is
// recognised. It returns the outcome it fixed (settle).
func (l *Limits) answer(d *direction, t int64) string {
	d.answered = max(d.answered, t)
	return l.end(d, t, policy.OutcomeAnswered)
}

// end ends the streak of the messages sent at or before t (an answer or a block), and
// returns the outcome (settle) that fixed for a nudged streak: "" when nothing was ended,
// as for a redelivered answer or block.
func (l *Limits) end(d *direction, t int64, outcome string) string {
	if d.unanswerUpTo(t) == 0 {
		return ""
	}
	fixed := l.settle(d, t, outcome)
	// The streak ends; messages sent after t stay unanswered and carry on as a new
	// streak whose peak is their count, so levels they already fired stay fired.
	d.peak, d.peakAtt, d.off, d.start, d.nudged, d.outcome, d.dismissed = d.count(), d.attempts(), 0, "", 0, "", 0
	if first := d.first(); first != nil {
		d.start = first.id
	}
	return fixed
}

// settle fixes the outcome of the direction's streak to outcome, an event at t, if the
// streak was nudged and has no outcome yet, and returns it ("" when it fixed nothing). It
// is the one place outcomes are decided, as the state changes, so that a redelivery,
// which changes nothing, never fixes one again. A streak whose messages had all slid out
// of the window by t had stopped before that event: its outcome is policy.OutcomeStopped.
func (l *Limits) settle(d *direction, t int64, outcome string) string {
	if d.nudged == 0 || d.outcome != "" {
		return ""
	}
	if d.newest <= t-l.Window.Milliseconds() {
		outcome = policy.OutcomeStopped
	}
	d.outcome = outcome
	return outcome
}

// actionID is the record id of a member action: ids never hold a NUL byte, so it cannot
// be a message's.
func actionID(id string) string { return "\x00" + id }

// act applies a member action of the direction's recipient, at t, to the streak current
// at t, and returns that streak as it was then (the evidence of a report). An action is
// recorded by id: its redelivery changes nothing and replays what it returned (a report's
// view is stored; others are StatusDuplicate). One older than the window is stale.
func (l *Limits) act(fwd *direction, o policy.Observation, t int64) policy.Streak {
	id := actionID(o.MessageID)
	if r := fwd.find(id); r != nil && r.seen {
		if r.view == nil {
			return policy.Streak{Status: policy.StatusDuplicate, Redelivered: true}
		}
		s := *r.view
		s.MessageIDs = slices.Clone(s.MessageIDs)
		s.Status, s.Redelivered = policy.StatusReplayed, true
		return s
	}
	horizon := fwd.newest - l.Window.Milliseconds()
	if fwd.newest > 0 && t <= horizon {
		l.markSeen(fwd, id, t, horizon)
		return policy.Streak{Status: policy.StatusStale}
	}
	s := l.streakAt(fwd, t)
	var fixed string // the outcome this action fixed, kept out of the stored view
	switch o.Action {
	case policy.ActionDismiss:
		if s.Count > 0 && fwd.dismissed == 0 {
			fwd.dismissed = t
		}
		s.Dismissed = s.Count > 0
		if s.Count > 0 {
			fixed = l.settle(fwd, t, policy.OutcomeDismissed)
		}
	case policy.ActionBlock:
		fwd.blocked = max(fwd.blocked, t)
		fixed = l.end(fwd, t, policy.OutcomeBlocked)
	case policy.ActionReport:
		if s.Count > 0 {
			fixed = l.settle(fwd, t, policy.OutcomeReported)
		}
	}
	if i := l.markSeen(fwd, id, t, horizon); i >= 0 && o.Action == policy.ActionReport {
		v := s
		v.MessageIDs = slices.Clone(s.MessageIDs)
		l.setView(fwd, i, &v)
	}
	s.NudgeOutcome = fixed
	return s
}

// streakAt is the direction's streak as it stood at t: its unanswered messages sent at or
// before t (none if the streak started later).
func (l *Limits) streakAt(d *direction, t int64) policy.Streak {
	s := policy.Streak{Status: policy.StatusAction, AnsweredAt: msTime(d.answered), Dismissed: d.dismissed != 0 && d.dismissed <= t}
	var anchor int64
	for i := d.ulo; i < len(d.recs) && d.recs[i].t <= t; i++ {
		r := &d.recs[i]
		if !r.unanswered {
			continue
		}
		if s.Count == 0 {
			s.FirstUnansweredAt = msTime(r.t)
		}
		if s.Attempts == 0 || r.t >= anchor+d.burst {
			s.Attempts, anchor = s.Attempts+1, r.t
		}
		s.Count++
		s.LastMessageAt = msTime(r.t)
		if len(s.MessageIDs) < l.MaxEvidence {
			s.MessageIDs = append(s.MessageIDs, r.id)
		}
	}
	if s.Count == 0 {
		s.Dismissed = false
		return s
	}
	s.StartID, s.Offensive, s.Peak, s.PeakAttempts = d.start, d.off, d.peak, d.peakAtt
	s.PrevOffensive, s.PrevPeak, s.PrevPeakAttempts = d.off, d.peak, d.peakAtt
	if d.nudged != 0 && d.nudged <= t {
		s.NudgedAt = msTime(d.nudged)
	}
	return s
}

// message records a message of direction fwd sent at t and returns its streak.
func (l *Limits) message(fwd *direction, o policy.Observation, t int64) policy.Streak {
	window := l.Window.Milliseconds()

	// A redelivery gets the view stored on its first pass, if any.
	if r := fwd.find(o.MessageID); r != nil && r.seen {
		if r.view == nil {
			// Nothing was stored, so the first pass was not offensive: no categories.
			return policy.Streak{Status: policy.StatusDuplicate, Count: fwd.count(), Attempts: fwd.attempts(), Redelivered: true}
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

	// Sent at or before the recipient's latest answer or block: its streak is over, and
	// it is never counted.
	if t <= max(answered, fwd.blocked) {
		i := l.markSeen(fwd, o.MessageID, t, newest-window)
		s := policy.Streak{Status: policy.StatusLate, AnsweredAt: msTime(answered)}
		// An offensive late message raises a content alert whose severity depends on
		// when the recipient answered: remember it, so a redelivery decides the same.
		if o.Offensive() && i >= 0 {
			v := s
			v.Categories = slices.Clone(o.Categories)
			l.setView(fwd, i, &v)
		}
		return s
	}

	// Older than the window that ends at the pair's newest event.
	if t <= newest-window {
		l.markSeen(fwd, o.MessageID, t, newest-window)
		return policy.Streak{Status: policy.StatusStale}
	}

	// The window is (newest - window, newest]; older messages slide out. When none is
	// left, the previous streak is over and this message starts a new one.
	fwd.unanswerUpTo(newest - window)
	var fixed string // the outcome this message fixed, kept out of the stored view
	if fwd.count() == 0 {
		// A nudged streak whose messages all slid out: the sender had stopped.
		fixed = l.settle(fwd, t, policy.OutcomeStopped)
		fwd.peak, fwd.peakAtt, fwd.off, fwd.start, fwd.nudged, fwd.outcome, fwd.dismissed = 0, 0, 0, o.MessageID, 0, "", 0
	} else if fwd.nudged != 0 && t > fwd.nudged {
		// Sent after the message that reached the nudge: the sender carried on. (One sent
		// before it, delivered late, is not.)
		fixed = l.settle(fwd, t, policy.OutcomeContinued)
	}
	i := fwd.upsert(o.MessageID, t)
	fwd.setFlags(i, fwd.recs[i].seen, true)
	if drop := fwd.count() - l.MaxUnanswered; drop > 0 {
		fwd.unanswerOldest(drop)
	}
	// Seen, within the bounds: the oldest records may go, unanswered ones too.
	i = l.markSeen(fwd, o.MessageID, t, newest-window)
	count, attempts := fwd.count(), fwd.attempts()

	prevPeak, prevPeakAtt, prevOff := fwd.peak, fwd.peakAtt, fwd.off
	fwd.peak, fwd.peakAtt = max(fwd.peak, count), max(fwd.peakAtt, attempts)
	if o.Offensive() {
		fwd.off++
	}
	if !l.Nudge.Reached(prevPeakAtt, prevPeak) && l.Nudge.Reached(fwd.peakAtt, fwd.peak) {
		fwd.nudged = t
	}
	fwd.newest = newest

	s := policy.Streak{
		Status:           policy.StatusCounted,
		Count:            count,
		Attempts:         attempts,
		PrevPeak:         prevPeak,
		Peak:             fwd.peak,
		PrevPeakAttempts: prevPeakAtt,
		PeakAttempts:     fwd.peakAtt,
		PrevOffensive:    prevOff,
		Offensive:        fwd.off,
		StartID:          fwd.start,
		LastMessageAt:    msTime(newest),
		AnsweredAt:       msTime(answered),
		NudgedAt:         msTime(fwd.nudged),
		Dismissed:        fwd.dismissed != 0,
		MessageIDs:       fwd.evidence(l.MaxEvidence),
	}
	if first := fwd.first(); first != nil {
		s.FirstUnansweredAt = msTime(first.t)
	}
	// Remember the view a redelivery must replay: when a level may have fired or the
	// content rules fired.
	if (l.remembers(s) || o.Offensive()) && i >= 0 {
		v := s
		v.MessageIDs = slices.Clone(s.MessageIDs)
		v.Categories = slices.Clone(o.Categories)
		l.setView(fwd, i, &v)
	}
	s.NudgeOutcome = fixed
	return s
}

// remembers reports whether the observation that gave s fired a level.
func (l *Limits) remembers(s policy.Streak) bool {
	return slices.ContainsFunc(l.Levels, func(t policy.Threshold) bool { return t.Crossed(s) })
}

// markSeen records id (sent at t) for redelivery detection, forgets the ids and views of
// messages sent at or before horizon, then the oldest records while the direction is over
// MaxRecordBytes. It returns id's index, -1 if id itself was forgotten.
func (l *Limits) markSeen(d *direction, id string, t, horizon int64) int {
	i := d.upsert(id, t)
	d.setFlags(i, true, d.recs[i].unanswered)
	for k := d.lo; k < len(d.recs) && d.recs[k].t <= horizon; k++ {
		if r := &d.recs[k]; r.seen {
			d.setFlags(k, false, r.unanswered)
		}
	}
	budget := cmp.Or(l.MaxRecordBytes, DefaultMaxRecordBytes)
	for k := d.lo; d.cost > budget && k < len(d.recs); k++ {
		if r := &d.recs[k]; r.seen || r.unanswered {
			d.setFlags(k, false, false)
		}
	}
	d.advance()
	if len(d.recs) > d.compactAt {
		d.compact()
	}
	if i := d.indexOf(id); i >= 0 && d.recs[i].seen {
		return i
	}
	return -1
}

// setView stores v as record i's view, then forgets the oldest views beyond one per level
// (a streak fires each level once) and MaxViews more (for offensive messages).
func (l *Limits) setView(d *direction, i int, v *policy.Streak) {
	r := &d.recs[i]
	if r.view != nil {
		d.views--
		d.viewBytes -= viewCost(r.view)
	}
	r.view, r.catsUnknown = v, false
	d.views++
	d.viewBytes += viewCost(v)
	maxViews, maxBytes := len(l.Levels)+cmp.Or(l.MaxViews, DefaultMaxViews), cmp.Or(l.MaxViewBytes, DefaultMaxViewBytes)
	for k := d.lo; (d.views > maxViews || d.viewBytes > maxBytes) && k < len(d.recs); k++ {
		if r := &d.recs[k]; r.view != nil {
			d.views--
			d.viewBytes -= viewCost(r.view)
			r.view, r.catsUnknown = nil, false
		}
	}
}

// derive computes the direction's derived fields from its records, once; burst is
// Limits.Burst in ms.
func (d *direction) derive(burst int64) {
	if d.derived {
		return
	}
	d.derived, d.burst, d.attsOK = true, burst, false
	d.cost, d.unans, d.views, d.viewBytes, d.lo, d.ulo = 0, 0, 0, 0, 0, 0
	for i := range d.recs {
		r := &d.recs[i]
		if r.unanswered {
			d.unans++
		}
		if r.seen || r.unanswered {
			d.cost += recordCost(r.id)
		}
		if r.view != nil && !r.seen {
			r.view, r.catsUnknown = nil, false // never replayed: keptView
		}
		if r.view != nil {
			d.views++
			d.viewBytes += viewCost(r.view)
		}
	}
	d.at = nil
	if len(d.recs) > 32 {
		d.at = make(map[string]int64, len(d.recs))
		for i := range d.recs {
			d.at[d.recs[i].id] = d.recs[i].t
		}
	}
	d.compactAt = 2*len(d.recs) + 64
	d.advance()
}

// setFlags sets record i's flags, keeping the derived fields right. A record no longer
// seen loses its view.
func (d *direction) setFlags(i int, seen, unanswered bool) {
	r := &d.recs[i]
	was := r.seen || r.unanswered
	if r.unanswered != unanswered {
		if unanswered {
			d.addUnanswered(r.t)
			d.unans++
			d.ulo = min(d.ulo, i)
		} else {
			d.unans--
			d.attsOK = d.unans == 0 // else counted again when asked
			d.atts = 0
		}
	}
	if !seen && r.view != nil {
		d.views--
		d.viewBytes -= viewCost(r.view)
		r.view, r.catsUnknown = nil, false
	}
	r.seen, r.unanswered = seen, unanswered
	switch is := seen || unanswered; {
	case is && !was:
		d.cost += recordCost(r.id)
		d.lo = min(d.lo, i)
	case !is && was:
		d.cost -= recordCost(r.id)
	}
}

// advance moves the hints past records that are not live.
func (d *direction) advance() {
	for d.lo < len(d.recs) && !d.recs[d.lo].seen && !d.recs[d.lo].unanswered {
		d.lo++
	}
	d.ulo = max(d.ulo, d.lo)
	for d.ulo < len(d.recs) && !d.recs[d.ulo].unanswered {
		d.ulo++
	}
}

// compact drops the records nothing keeps (as Encode does), so a pair applied to many
// times between encodes stays small.
func (d *direction) compact() {
	d.markKept()
	d.recs = slices.DeleteFunc(d.recs, func(r record) bool { return !r.keep })
	d.derived = false
	d.derive(d.burst)
}

// unanswerUpTo takes the unanswered messages sent at or before t out of the streak and
// returns how many it took.
func (d *direction) unanswerUpTo(t int64) int {
	n := 0
	for i := d.ulo; i < len(d.recs) && d.recs[i].t <= t; i++ {
		if r := &d.recs[i]; r.unanswered {
			d.setFlags(i, r.seen, false)
			n++
		}
	}
	d.advance()
	return n
}

// unanswerOldest takes the oldest n unanswered messages out of the streak.
func (d *direction) unanswerOldest(n int) {
	for i := d.ulo; n > 0 && i < len(d.recs); i++ {
		if r := &d.recs[i]; r.unanswered {
			d.setFlags(i, r.seen, false)
			n--
		}
	}
	d.advance()
}

// count is the number of unanswered messages.
func (d *direction) count() int { return d.unans }

// attempts is the number of attempts the unanswered messages form: the oldest starts
// one, and each message sent burst or more after the current attempt's first starts the
// next. A message newer than every other is added without a scan; any other change to
// the unanswered messages counts them again, from where they begin.
func (d *direction) attempts() int {
	if !d.attsOK {
		d.countAttempts()
	}
	return d.atts
}

// countAttempts counts the attempts from the oldest unanswered message. The unanswered
// records are usually all the records from the first of them (answered, late and stale
// ones are older), and each attempt's next is then found by a binary search, so a flood's
// thousand messages in a few attempts cost a few searches; otherwise it scans them.
func (d *direction) countAttempts() {
	d.atts, d.attsOK = 0, true
	d.advance()
	recs := d.recs[d.ulo:]
	if len(recs) != d.unans {
		for i := range recs {
			if recs[i].unanswered {
				d.extend(recs[i].t)
			}
		}
		return
	}
	for i := 0; i < len(recs); {
		d.extend(recs[i].t) // sent at or after the previous attempt's end: a new attempt
		end, next := d.anchor+d.burst, i+1
		if next < len(recs) && recs[next].t < end {
			next += sort.Search(len(recs)-next, func(k int) bool { return recs[next+k].t >= end })
		}
		i = next
	}
	if len(recs) > 0 {
		d.lastU = recs[len(recs)-1].t
	}
}

// addUnanswered keeps the attempts right for a message sent at t becoming unanswered.
func (d *direction) addUnanswered(t int64) {
	switch {
	case d.unans == 0:
		d.atts, d.attsOK = 0, true
		d.extend(t)
	case d.attsOK && t >= d.lastU:
		d.extend(t)
	default:
		d.attsOK = false
	}
}

// extend counts a message sent at t, at or after every unanswered message counted.
func (d *direction) extend(t int64) {
	if d.atts == 0 || t >= d.anchor+d.burst {
		d.atts++
		d.anchor = t
	}
	d.lastU = t
}

// first is the oldest unanswered message, nil if none.
func (d *direction) first() *record {
	d.advance()
	if d.ulo < len(d.recs) {
		return &d.recs[d.ulo]
	}
	return nil
}

// evidence is the ids of the oldest n unanswered messages, oldest first.
func (d *direction) evidence(n int) []string {
	ids := make([]string, 0, min(n, d.unans))
	for i := d.ulo; i < len(d.recs) && len(ids) < n; i++ {
		if d.recs[i].unanswered {
			ids = append(ids, d.recs[i].id)
		}
	}
	return ids
}

// find returns id's record, nil if none.
func (d *direction) find(id string) *record {
	if i := d.indexOf(id); i >= 0 {
		return &d.recs[i]
	}
	return nil
}

// indexOf is the index of id's record, -1 if none.
func (d *direction) indexOf(id string) int {
	if d.at != nil {
		t, ok := d.at[id]
		if !ok {
			return -1
		}
		i, found := slices.BinarySearchFunc(d.recs, record{id: id, t: t}, compareRecords)
		if !found {
			panic("streak: find: index out of step") // every indexed id has its record
		}
		return i
	}
	for i := range d.recs {
		if d.recs[i].id == id {
			return i
		}
	}
	return -1
}

// upsert returns the index of id's record, created if missing, sent at t, kept in
// (t, id) order.
func (d *direction) upsert(id string, t int64) int {
	if i := d.indexOf(id); i >= 0 {
		if d.recs[i].t == t {
			return i
		}
		moved := d.recs[i]
		d.recs = slices.Delete(d.recs, i, i+1)
		moved.t = t
		d.lo, d.ulo = 0, 0 // rare: a message seen before at another time; advance repairs
		d.attsOK = false
		return d.insert(moved)
	}
	return d.insert(record{id: id, t: t})
}

func (d *direction) insert(r record) int {
	i := len(d.recs) // usually the newest
	if i > 0 && compareRecords(d.recs[i-1], r) >= 0 {
		i, _ = slices.BinarySearchFunc(d.recs, r, compareRecords)
	}
	d.recs = slices.Insert(d.recs, i, r)
	if i < d.lo {
		d.lo++
	}
	if i < d.ulo {
		d.ulo++
	}
	if r.seen || r.unanswered {
		d.lo = min(d.lo, i)
	}
	if r.unanswered {
		d.ulo = min(d.ulo, i)
	}
	if d.at != nil {
		d.at[r.id] = r.t
	} else if len(d.recs) > 32 {
		d.at = make(map[string]int64, 2*len(d.recs))
		for k := range d.recs {
			d.at[d.recs[k].id] = d.recs[k].t
		}
	}
	return i
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
