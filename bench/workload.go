package bench

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// WorkloadConfig shapes a Workload. The zero value of each field means its default.
type WorkloadConfig struct {
	// Seed makes the workload reproducible: the same seed gives the same events.
	Seed uint64
	// Members is how many members write to each other. Default 200,000.
	Members int
	// Active is how many conversations are under way at once; events of different
	// conversations interleave. Default 20,000.
	Active int
	// Start is the event time of the first event. Default: 2 hours before time.Now.
	Start time.Time
	// Step is the event time between two consecutive events. Default 1ms.
	Step time.Duration
	// PersistentShare is the share of conversations in which one member keeps writing
	// without an answer, crossing the nudge level (4) and often the alert levels (7, 12):
	// follow-ups FollowUpGap apart, up to 14 of them before the event's turn.
	// Default 0.05.
	PersistentShare float64
	// OffensiveShare is the share of messages labelled offensive (an upstream label or a
	// sexual attachment). Default 0.002.
	OffensiveShare float64
	// ActionShare is about the share of events that are member actions: a conversation
	// ends now and then with the recipient reporting, blocking, dismissing or unblocking
	// the member who wrote to them. Default 0.03; negative: none.
	ActionShare float64
}

func (c WorkloadConfig) withDefaults() WorkloadConfig {
	if c.Members == 0 {
		c.Members = 200_000
	}
	if c.Active == 0 {
		c.Active = 20_000
	}
	if c.Start.IsZero() {
		c.Start = time.Now().Add(-2 * time.Hour)
	}
	if c.Step == 0 {
		c.Step = time.Millisecond
	}
	if c.PersistentShare == 0 {
		c.PersistentShare = 0.05
	}
	if c.OffensiveShare == 0 {
		c.OffensiveShare = 0.002
	}
	if c.ActionShare == 0 {
		c.ActionShare = 0.03
	}
	return c
}

// Event is one input record of a Workload.
type Event struct {
	Topic string // topics.DefaultMessageSent, topics.DefaultReply or topics.DefaultMemberAction
	Key   []byte // the conversation id
	Value []byte // MessageSent v1 or Reply v1
	// Observation is what relance's store records of the event.
	Observation policy.Observation
	// Unanswered is, for a message, how many of the sender's messages to the recipient
	// are unanswered once it is counted (the streak's count, window permitting).
	Unanswered int
	// Seq is the event's number in the workload, from 1 (a message's id ends with it).
	Seq int
}

// step is one planned event of a conversation.
type step struct {
	fromB bool // written by the member who did not start the conversation
	reply bool // a Reply event rather than a MessageSent
	// early is how long before its turn the event was sent: a persistent member's
	// messages are follow-ups FollowUpGap apart in event time however fast they are
	// produced, so each is an attempt of its own.
	early time.Duration
	// action is a MemberAction of the member who did not start the conversation about
	// the one who did (topics.MemberAction…), "" for a message or reply.
	action string
}

// actionsByShare are the member actions a conversation may end with, as often as listed.
var actionsByShare = []string{
	topics.MemberActionReport, topics.MemberActionReport, topics.MemberActionReport, topics.MemberActionReport,
	topics.MemberActionBlock, topics.MemberActionBlock, topics.MemberActionBlock,
	topics.MemberActionDismiss, topics.MemberActionDismiss, topics.MemberActionUnblock,
}

// eventsPerConversation turns ActionShare into the chance that a conversation ends with
// an action: conversations hold about 8 events.
const eventsPerConversation = 8

// FollowUpGap is the event time between a persistent member's follow-ups: more than the
// default policy's burst (5 minutes), so that each message is an attempt and the streaks
// reach the levels at the counts they always did.
const FollowUpGap = 6 * time.Minute

type conversation struct {
	id     int
	a, b   int
	steps  []step
	next   int
	streak [2]int // unanswered messages a→b, b→a
}

// Workload generates a realistic mix of input events: many members, most conversations
// answered turn by turn, some members who keep writing unanswered, a few offensive
// messages. It is deterministic for a seed and not safe for concurrent use.
type Workload struct {
	cfg   WorkloadConfig
	rng   *rand.Rand
	convs []conversation
	seq   int // events generated
	nconv int // conversations started
	buf   []byte
}

// NewWorkload returns a workload for cfg.
func NewWorkload(cfg WorkloadConfig) *Workload {
	cfg = cfg.withDefaults()
	w := &Workload{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	w.convs = make([]conversation, cfg.Active)
	for i := range w.convs {
		w.convs[i] = w.newConversation()
	}
	return w
}

// newConversation plans a conversation between two distinct random members, now and
// then ending with the recipient's member action.
func (w *Workload) newConversation() conversation {
	c := w.planConversation()
	if w.rng.Float64() < w.cfg.ActionShare*eventsPerConversation {
		c.steps = append(c.steps, step{fromB: true, action: actionsByShare[w.rng.IntN(len(actionsByShare))]})
	}
	return c
}

// planConversation plans the messages and replies of a conversation.
func (w *Workload) planConversation() conversation {
	w.nconv++
	c := conversation{id: w.nconv, a: w.rng.IntN(w.cfg.Members)}
	c.b = (c.a + 1 + w.rng.IntN(w.cfg.Members-1)) % w.cfg.Members
	if w.rng.Float64() < w.cfg.PersistentShare {
		// One member keeps writing: 4-6 messages (nudge), 7-11 (medium alert), 12-15 (high).
		var n int
		switch r := w.rng.Float64(); {
		case r < 0.5:
			n = 4 + w.rng.IntN(3)
		case r < 0.85:
			n = 7 + w.rng.IntN(5)
		default:
			n = 12 + w.rng.IntN(4)
		}
		for k := range n {
			c.steps = append(c.steps, step{early: time.Duration(n-1-k) * FollowUpGap})
		}
		if w.rng.IntN(2) == 0 { // the other finally answers
			c.steps = append(c.steps, step{fromB: true, reply: w.rng.IntN(5) == 0})
		}
		return c
	}
	// An answered conversation: 2-6 turns, each of 1-3 messages (mostly 1), answered by
	// the other member with a message, or one time in five with a reply event.
	fromB := false
	for range 2 + w.rng.IntN(5) {
		n := 1
		if r := w.rng.Float64(); r > 0.9 {
			n = 3
		} else if r > 0.6 {
			n = 2
		}
		for i := range n {
			c.steps = append(c.steps, step{fromB: fromB, reply: i == 0 && len(c.steps) > 0 && w.rng.IntN(5) == 0})
		}
		fromB = !fromB
	}
	return c
}

var texts = []string{
	"salut ! tu vas bien ?",
	"on se voit ce week-end ?",
	"hello, how was your day?",
	"j'ai adoré ton profil, tu fais de la randonnée ?",
	"haha yes, me too",
	"tu connais un bon resto vers Bastille ?",
	"what kind of music do you like?",
	"bonne soirée :)",
}

// Next returns the workload's next event, its event time Start + n×Step for the n-th event
// (earlier for a persistent member's follow-ups: see FollowUpGap).
func (w *Workload) Next() Event {
	return w.NextAt(w.cfg.Start.Add(time.Duration(w.seq) * w.cfg.Step))
}

// NextAt returns the next event with event time t (for paced production).
func (w *Workload) NextAt(t time.Time) Event {
	ci := w.rng.IntN(len(w.convs))
	c := &w.convs[ci]
	s := c.steps[c.next]
	c.next++
	w.seq++

	from, to, dir := c.a, c.b, 0
	if s.fromB {
		from, to, dir = c.b, c.a, 1
	}
	var ev Event
	if s.action != "" {
		return w.finish(ci, w.memberAction(c, s.action, t))
	}
	// Writing answers the other direction.
	c.streak[1-dir] = 0
	id := "m" + strconv.FormatUint(w.cfg.Seed, 36) + "-" + strconv.Itoa(w.seq)
	sender, recipient := "u-"+strconv.Itoa(from), "u-"+strconv.Itoa(to)
	convID := "c" + strconv.FormatUint(w.cfg.Seed, 36) + "-" + strconv.Itoa(c.id)
	t = t.Add(-s.early).UTC()
	ev.Key = []byte(convID)
	ev.Observation = policy.Observation{MessageID: id, SenderID: sender, RecipientID: recipient, SentAt: t.Truncate(time.Millisecond)}

	b := w.buf[:0]
	b = append(b, `{"message_id":"`...)
	b = append(b, id...)
	b = append(b, `","sender_id":"`...)
	b = append(b, sender...)
	b = append(b, `","recipient_id":"`...)
	b = append(b, recipient...)
	b = append(b, `","sent_at":"`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	if s.reply {
		ev.Topic = topics.DefaultReply
		ev.Observation.Action = policy.ActionReply
		b = append(b, `"}`...)
	} else {
		ev.Topic = topics.DefaultMessageSent
		ev.Observation.Action = policy.ActionMessage
		c.streak[dir]++
		ev.Unanswered = c.streak[dir]
		locale := "fr"
		if w.rng.IntN(3) == 0 {
			locale = "en"
		}
		b = append(b, `","conversation_id":"`...)
		b = append(b, convID...)
		b = append(b, `","text":`...)
		b = strconv.AppendQuote(b, texts[w.rng.IntN(len(texts))])
		b = append(b, `,"locale":"`...)
		b = append(b, locale...)
		b = append(b, '"')
		if w.rng.Float64() < w.cfg.OffensiveShare {
			if w.rng.IntN(3) == 0 {
				b = append(b, `,"attachments":[{"kind":"image","labels":["nudity"]}]`...)
				ev.Observation.Categories = []policy.Category{policy.CategorySexual}
			} else {
				b = append(b, `,"labels":["insult"]`...)
				ev.Observation.Categories = []policy.Category{policy.CategoryInsult}
			}
		}
		b = append(b, '}')
	}
	w.buf = b
	ev.Value = append([]byte(nil), b...)
	return w.finish(ci, ev)
}

// finish replaces conversation ci once its last event is out, and returns ev.
func (w *Workload) finish(ci int, ev Event) Event {
	if c := &w.convs[ci]; c.next == len(c.steps) {
		w.convs[ci] = w.newConversation()
	}
	ev.Seq = w.seq
	return ev
}

// MessageSeq is the Seq of the message whose id is id, if this workload's seed wrote it.
func (w *Workload) MessageSeq(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "m"+strconv.FormatUint(w.cfg.Seed, 36)+"-")
	if !ok {
		return 0, false
	}
	seq, err := strconv.Atoi(rest)
	return seq, err == nil && seq > 0
}

// memberAction is the conversation's recipient acting about its starter at t.
func (w *Workload) memberAction(c *conversation, action string, t time.Time) Event {
	id := "a" + strconv.FormatUint(w.cfg.Seed, 36) + "-" + strconv.Itoa(w.seq)
	member, other := "u-"+strconv.Itoa(c.b), "u-"+strconv.Itoa(c.a)
	t = t.UTC().Truncate(time.Millisecond)
	kind, _ := policy.MemberAction(action) // one of actionsByShare
	b := w.buf[:0]
	b = append(b, `{"action_id":"`...)
	b = append(b, id...)
	b = append(b, `","member_id":"`...)
	b = append(b, member...)
	b = append(b, `","other_member_id":"`...)
	b = append(b, other...)
	b = append(b, `","action":"`...)
	b = append(b, action...)
	b = append(b, `","at":"`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `"}`...)
	w.buf = b
	return Event{
		Topic: topics.DefaultMemberAction,
		Key:   []byte("c" + strconv.FormatUint(w.cfg.Seed, 36) + "-" + strconv.Itoa(c.id)),
		Value: append([]byte(nil), b...),
		Observation: policy.Observation{Action: kind, MessageID: id, SenderID: other,
			RecipientID: member, SentAt: t},
	}
}
