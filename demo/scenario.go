package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics"
)

// lead is how long before the clock's now the simulated timeline starts. The script spans
// less than that, so no event is dated in the future (relance rejects sent_at more than
// 15 minutes ahead).
const lead = 2 * time.Hour

// member is one simulated member of the platform.
type member struct {
	key    string // suffix of the member's user id: demo-<run>-<key>
	name   string // what the timeline shows
	locale string
}

var members = []member{
	{"camille", "Camille", "fr"},
	{"sam", "Sam", "en"},
	{"noah", "Noah", "fr"},
	{"ines", "Inès", "fr"},
	{"jordan", "Jordan", "en"},
}

// scripted is one event of the scenario, between members named by key.
type scripted struct {
	at    time.Duration // after the start of the timeline
	reply bool          // a Reply event rather than a MessageSent
	// action, when set, makes the event a MemberAction of that action (topics.MemberAction…)
	// by from about to.
	action   string
	from, to string
	text     string // shown by the demo; a Reply event carries no text
	labels   []string
}

// script is the scenario: Camille and Sam have an ordinary conversation; Jordan says hello
// to Sam in four quick bubbles, one attempt, left alone (Sam answers later); Noah writes
// Inès a burst of three bubbles, then follows up every six to eight minutes without an
// answer until his 12th attempt, and Inès, checked in with after his 4th, reports him after
// his 7th; Jordan insults Camille once.
//
// Every text goes through relance's built-in text check, as the platform's would: only
// Jordan's insult may be found offensive.
var script = []scripted{
	{at: 0, from: "camille", to: "sam", text: "Salut Sam ! Tu as vu le concert hier soir ?"},
	{at: 3 * time.Minute, reply: true, from: "sam", to: "camille", text: "Yes! The encore was amazing 🎶"},
	{at: 4 * time.Minute, from: "sam", to: "camille", text: "Coffee tomorrow? I know a place near Bastille."},
	{at: 6 * time.Minute, from: "noah", to: "ines", text: "Salut Inès !"},
	{at: 6*time.Minute + 8*time.Second, from: "noah", to: "ines", text: "Je m'appelle Noah"},
	{at: 6*time.Minute + 20*time.Second, from: "noah", to: "ines", text: "😊"},
	{at: 9 * time.Minute, from: "camille", to: "sam", text: "Avec plaisir ! 10h ?"},
	{at: 11 * time.Minute, from: "jordan", to: "sam", text: "Hi Sam!"},
	{at: 11*time.Minute + 6*time.Second, from: "jordan", to: "sam", text: "I'm Jordan"},
	{at: 11*time.Minute + 19*time.Second, from: "jordan", to: "sam", text: "Saw we both love hiking"},
	{at: 11*time.Minute + 28*time.Second, from: "jordan", to: "sam", text: "😊"},
	{at: 13 * time.Minute, from: "noah", to: "ines", text: "Tu fais quoi ce week-end ?"},
	{at: 20 * time.Minute, from: "noah", to: "ines", text: "Hello ?"},
	{at: 27 * time.Minute, from: "noah", to: "ines", text: "Tu es là ?"},
	{at: 33 * time.Minute, reply: true, from: "sam", to: "camille", text: "10am, perfect 👍"},
	{at: 34 * time.Minute, from: "noah", to: "ines", text: "Pourquoi tu ne réponds pas ?"},
	{at: 36 * time.Minute, reply: true, from: "sam", to: "jordan", text: "Hi Jordan! Yes, I was in the Alps last weekend ⛰"},
	{at: 41 * time.Minute, from: "noah", to: "ines", text: "Je vois que tu es en ligne"},
	{at: 48 * time.Minute, from: "noah", to: "ines", text: "Réponds-moi s'il te plaît"},
	{at: 50 * time.Minute, action: topics.MemberActionReport, from: "ines", to: "noah"},
	{at: 55 * time.Minute, from: "jordan", to: "camille", text: "Who asked you? Idiot.", labels: []string{"insult"}},
	{at: 56 * time.Minute, from: "noah", to: "ines", text: "Allez, juste un mot 🙏"},
	{at: 63 * time.Minute, from: "noah", to: "ines", text: "Tu as reçu mes messages ?"},
	{at: 70 * time.Minute, from: "noah", to: "ines", text: "Je t'ai écrit plusieurs fois…"},
	{at: 77 * time.Minute, from: "noah", to: "ines", text: "Inès ???"},
	{at: 85 * time.Minute, from: "noah", to: "ines", text: "Bon, dernier message."},
}

// step is one scripted event made concrete for a run: the record to produce and what the
// timeline shows about it.
type step struct {
	msg      topicMessage
	sentAt   time.Time
	from, to string // display names
	note     string // what relance makes of it, e.g. "attempt 4 (3 follow-ups), 6 unanswered"
	text     string
	expected []expectation // the outputs relance publishes for it
	// gated: the step is written only once every output of the earlier steps has been seen
	// (a member action, which relance reads from another topic than the messages it is
	// about, and the event after it: see newPlan).
	gated bool
}

// topicMessage is a record before encoding.
type topicMessage struct {
	topic, eventType, key string
	value                 any
}

// expectation is one output the scenario should make relance publish, identified by what
// it is and the members it concerns (never by its id, which is relance's to compute).
type expectation struct {
	what        string // "nudge <kind>" or "alert <severity>"
	user, other string // nudge: user_id, other_user_id; alert: sender_id, recipient_id
}

func nudgeExpectation(n topics.CoachNudge) expectation {
	return expectation{what: "nudge " + n.Kind, user: n.UserID, other: n.OtherUserID}
}

func alertExpectation(a topics.ModerationAlert) expectation {
	return expectation{what: "alert " + a.Severity, user: a.SenderID, other: a.RecipientID}
}

// plan is the scenario of one run: its steps in order and the outputs they should cause.
type plan struct {
	run      string
	steps    []step
	expected []expectation
	names    map[string]string // user id → display name
}

// userID is the user id of a simulated member in a run. The run token keeps runs against
// the same broker apart.
func userID(run, key string) string { return "demo-" + run + "-" + key }

// newPlan makes the scenario concrete for a run whose timeline starts at start, and derives
// the outputs it should cause by deciding each event as relance does under the default
// policy (see decider): the demo has no rules of its own.
func newPlan(run string, start time.Time, names topics.Names) plan {
	p := plan{run: run, names: make(map[string]string, len(members))}
	locale := make(map[string]string, len(members))
	for _, m := range members {
		p.names[userID(run, m.key)] = m.name
		locale[m.key] = m.locale
	}

	d := newDecider()
	type pair struct{ from, to string }
	lastMessage := make(map[pair]string) // newest message id per direction, for in_reply_to
	attempts := make(map[pair]int)       // the direction's attempts after its latest message
	checkIn := make(map[pair]string)     // newest check-in's nudge id, by its user and the other

	gateNext := false
	for i, e := range script {
		id := fmt.Sprintf("demo-%s-m-%d", run, i+1)
		from, to := userID(run, e.from), userID(run, e.to)
		sentAt := start.Add(e.at) // in the clock's time zone, as the timeline shows it
		st := step{sentAt: sentAt, from: p.names[from], to: p.names[to], text: e.text, gated: gateNext}
		gateNext = false

		var value any
		switch {
		case e.action != "":
			// A member's answer to a check-in. relance reads member-action apart from
			// message-sent, so were it written right after the messages it is about, it
			// could be decided before them, on a streak not yet nudged, and raise another
			// alert (medium) than the one expected. It is written once every output of the
			// earlier events has been seen instead: relance has then decided Noah's
			// messages up to the last one that caused an output (they share a key, so a
			// partition, and are decided in order), the check-in included, and the
			// report's alert is the high one whatever the order of the later events
			// (messages sent after the report are not its evidence, and a report changes
			// no streak). The next event waits in turn for the report's alert, so the
			// timeline shows the alert right under the report, even played at full speed,
			// and relance decides the report before Noah's later messages, as here.
			a := topics.MemberAction{
				ActionID: fmt.Sprintf("demo-%s-a-%d", run, i+1), MemberID: from, OtherMemberID: to,
				Action: e.action, At: sentAt.UTC(), NudgeID: checkIn[pair{e.from, e.to}],
			}
			st.msg = topicMessage{topic: names.MemberAction, eventType: topics.TypeMemberAction, key: from, value: a}
			st.gated, gateNext = true, true
			value = a
		case e.reply:
			r := topics.Reply{
				MessageID: id, SenderID: from, RecipientID: to, SentAt: sentAt.UTC(),
				InReplyTo: lastMessage[pair{e.to, e.from}],
			}
			st.msg = topicMessage{topic: names.Reply, eventType: topics.TypeReply, key: from, value: r}
			value = r
		default:
			lastMessage[pair{e.from, e.to}] = id
			m := topics.MessageSent{
				MessageID: id, SenderID: from, RecipientID: to, SentAt: sentAt.UTC(),
				ConversationID: conversationID(run, e.from, e.to),
				Text:           e.text, Locale: locale[e.from], Labels: e.labels,
			}
			st.msg = topicMessage{topic: names.MessageSent, eventType: topics.TypeMessageSent, key: from, value: m}
			value = m
		}

		in, s, out := d.decide(value)
		for _, n := range out.Nudges {
			st.expected = append(st.expected, nudgeExpectation(n))
			if n.Kind == topics.KindCheckIn {
				checkIn[pair{e.to, e.from}] = n.NudgeID // the check-in is for the recipient
			}
		}
		for _, a := range out.Alerts {
			st.expected = append(st.expected, alertExpectation(a))
		}
		p.expected = append(p.expected, st.expected...)
		k := pair{e.from, e.to}
		st.note = note(in.Observation, s, attempts[k])
		if !e.reply && e.action == "" {
			attempts[k] = s.Attempts
		}
		p.steps = append(p.steps, st)
	}
	return p
}

// note is what the timeline says of an event, from the streak relance computed for it:
// prevAttempts is the direction's attempts before it.
func note(o policy.Observation, s policy.Streak, prevAttempts int) string {
	switch {
	case o.Action == policy.ActionReply:
		return "reply"
	case o.Action.IsMemberAction():
		return o.Action.String()
	}
	var n string
	switch {
	case s.Status != policy.StatusCounted && s.Status != policy.StatusReplayed:
		n = "message (" + s.Status.String() + ")"
	case s.Attempts <= 1 && s.Count <= 1:
		n = "message, attempt 1"
	case s.Attempts <= 1:
		n = fmt.Sprintf("%d messages in one attempt: no follow-up yet", s.Count)
	case s.Attempts == prevAttempts:
		n = fmt.Sprintf("still attempt %d, %d unanswered", s.Attempts, s.Count)
	default:
		n = fmt.Sprintf("attempt %d (%s), %d unanswered", s.Attempts, plural(s.Attempts-1, "follow-up"), s.Count)
	}
	if o.Offensive() {
		cats := make([]string, len(o.Categories))
		for i, c := range o.Categories {
			cats[i] = string(c)
		}
		n += ", offensive: " + strings.Join(cats, ", ")
	}
	return n
}

// decider is relance deciding events one at a time, in memory, under the default policy:
// the same decoding of an event into an observation as the processor (the categories of
// its labels and attachments, plus those the built-in text check finds in its text), the
// same streak algorithm (state.Memory) and the same Decide. The demo derives the outputs it
// waits for from it; with another policy file or text check relance decides differently,
// and an Exit-mode demo would wait for outputs that never come.
type decider struct {
	pol   *policy.Policy
	store *state.Memory
	texts policy.TextChecker
}

func newDecider() *decider {
	pol := policy.Default()
	store, err := state.NewMemory(pol, state.Config{})
	if err != nil {
		panic(fmt.Sprintf("demo: in-memory store: %v", err)) // the zero Config is valid
	}
	return &decider{pol: pol, store: store, texts: content.Default()}
}

// decide records one event, a topics.MessageSent, topics.Reply or topics.MemberAction, and
// returns its input, the sender→recipient streak after it (for a member action, the streak
// of the member acted about towards the one who acted), and the outputs relance publishes
// for it.
func (d *decider) decide(event any) (policy.Input, policy.Streak, policy.Decisions) {
	ctx := context.Background()
	var in policy.Input
	switch e := event.(type) {
	case topics.MessageSent:
		attachments := make([][]string, len(e.Attachments))
		for i, a := range e.Attachments {
			attachments[i] = a.Labels
		}
		categories := policy.Categories(e.Labels, attachments)
		if e.Text != "" {
			found, err := policy.CheckTexts(ctx, d.texts, []policy.Text{{Text: e.Text, Locale: e.Locale}})
			if err != nil {
				panic(fmt.Sprintf("demo: built-in text check: %v", err)) // it never fails
			}
			categories = append(categories, found[0]...)
			slices.Sort(categories)
			categories = slices.Compact(categories)
		}
		in = policy.Input{
			Observation: policy.Observation{
				Action: policy.ActionMessage, MessageID: e.MessageID, SenderID: e.SenderID,
				RecipientID: e.RecipientID, SentAt: e.SentAt, Categories: categories,
			},
			Locale: e.Locale, RecipientLocale: e.RecipientLocale,
		}
	case topics.Reply:
		in = policy.Input{Observation: policy.Observation{
			Action: policy.ActionReply, MessageID: e.MessageID, SenderID: e.SenderID,
			RecipientID: e.RecipientID, SentAt: e.SentAt,
		}}
	case topics.MemberAction:
		// As the processor decodes it: it acts on other_member_id's streak to member_id.
		in = policy.Input{Observation: policy.Observation{
			Action: memberActions[e.Action], MessageID: e.ActionID, SenderID: e.OtherMemberID,
			RecipientID: e.MemberID, SentAt: e.At,
		}}
	default:
		panic(fmt.Sprintf("demo: decide: event %T", event))
	}
	res, err := d.store.Apply(ctx, []policy.Observation{in.Observation})
	if err != nil {
		panic(fmt.Sprintf("demo: in-memory store: %v", err)) // it fails on nothing but a cancelled context
	}
	if res[0].Invalid != nil {
		return in, res[0].Streak, policy.Decisions{} // dead-lettered: no decision
	}
	return in, res[0].Streak, d.pol.DecideResult(in, res[0])
}

// memberActions are the MemberAction actions and their policy actions, as the processor
// reads them.
var memberActions = map[string]policy.Action{
	topics.MemberActionDismiss: policy.ActionDismiss,
	topics.MemberActionBlock:   policy.ActionBlock,
	topics.MemberActionUnblock: policy.ActionUnblock,
	topics.MemberActionReport:  policy.ActionReport,
}

// conversationID names the conversation of two members, whoever writes.
func conversationID(run, a, b string) string {
	pair := []string{a, b}
	slices.Sort(pair)
	return "demo-" + run + "-c-" + pair[0] + "-" + pair[1]
}

// counts returns how many nudges and alerts the plan expects.
func (p plan) counts() (nudges, alerts int) {
	for _, e := range p.expected {
		if strings.HasPrefix(e.what, "nudge ") {
			nudges++
		} else {
			alerts++
		}
	}
	return nudges, alerts
}

// name is what the timeline shows for a user id: a simulated member's name, or the id
// itself (members of events added by hand).
func (p plan) name(id string) string {
	if n, ok := p.names[id]; ok {
		return n
	}
	return id
}

// ours reports whether a user id belongs to this run's simulated members.
func (p plan) ours(id string) bool {
	return strings.HasPrefix(id, "demo-"+p.run+"-")
}
