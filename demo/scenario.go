package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relance/relance/topics"
)

// The default policy (README), as the platform sees it from outside: the demo derives the
// outputs it expects from these numbers. With another policy file relance decides
// differently, and an Exit-mode demo would wait for outputs that never come.
const (
	nudgeAt       = 4  // unanswered messages: nudge the sender, check in with the recipient
	alertMediumAt = 7  // unanswered messages: medium alert (continued after the nudge)
	alertHighAt   = 12 // unanswered messages: high alert
)

// contentSeverity is the alert severity of an upstream content label under the default
// policy; labels not listed carry no rule.
var contentSeverity = map[string]string{
	"insult": topics.SeverityMedium,
	"hate":   topics.SeverityHigh,
	"sexual": topics.SeverityHigh,
	"threat": topics.SeverityHigh,
}

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
	at       time.Duration // after the start of the timeline
	reply    bool          // a Reply event rather than a MessageSent
	from, to string
	text     string // shown by the demo; a Reply event carries no text
	labels   []string
}

// script is the scenario: Camille and Sam have an ordinary conversation; Noah writes to
// Inès twelve times without an answer; Jordan insults Camille once.
var script = []scripted{
	{at: 0, from: "camille", to: "sam", text: "Salut Sam ! Tu as vu le concert hier soir ?"},
	{at: 3 * time.Minute, reply: true, from: "sam", to: "camille", text: "Yes! The encore was amazing 🎶"},
	{at: 4 * time.Minute, from: "sam", to: "camille", text: "Coffee tomorrow? I know a place near Bastille."},
	{at: 6 * time.Minute, from: "noah", to: "ines", text: "Salut Inès, ça va ?"},
	{at: 9 * time.Minute, from: "camille", to: "sam", text: "Avec plaisir ! 10h ?"},
	{at: 14 * time.Minute, from: "noah", to: "ines", text: "Tu fais quoi ce week-end ?"},
	{at: 22 * time.Minute, from: "noah", to: "ines", text: "Hello ?"},
	{at: 30 * time.Minute, from: "noah", to: "ines", text: "Tu es là ?"},
	{at: 33 * time.Minute, reply: true, from: "sam", to: "camille", text: "10am, perfect 👍"},
	{at: 38 * time.Minute, from: "noah", to: "ines", text: "Pourquoi tu ne réponds pas ?"},
	{at: 45 * time.Minute, from: "noah", to: "ines", text: "Je vois que tu es en ligne"},
	{at: 52 * time.Minute, from: "noah", to: "ines", text: "Réponds-moi s'il te plaît"},
	{at: 55 * time.Minute, from: "jordan", to: "camille", text: "Who asked you? Idiot.", labels: []string{"insult"}},
	{at: 60 * time.Minute, from: "noah", to: "ines", text: "Allez, juste un mot 🙏"},
	{at: 67 * time.Minute, from: "noah", to: "ines", text: "Tu as reçu mes messages ?"},
	{at: 74 * time.Minute, from: "noah", to: "ines", text: "Je t'ai écrit plusieurs fois…"},
	{at: 81 * time.Minute, from: "noah", to: "ines", text: "Inès ???"},
	{at: 88 * time.Minute, from: "noah", to: "ines", text: "Bon, dernier message."},
}

// step is one scripted event made concrete for a run: the record to produce and what the
// timeline shows about it.
type step struct {
	msg      topicMessage
	sentAt   time.Time
	from, to string // display names
	note     string // e.g. "message 5 unanswered in a row"
	text     string
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

// newPlan makes the scenario concrete for a run whose timeline starts at start, and counts,
// as the default policy does, the outputs it should cause.
func newPlan(run string, start time.Time, names topics.Names) plan {
	p := plan{run: run, names: make(map[string]string, len(members))}
	locale := make(map[string]string, len(members))
	for _, m := range members {
		p.names[userID(run, m.key)] = m.name
		locale[m.key] = m.locale
	}

	type pair struct{ from, to string }
	type streak struct {
		count                int
		checkedIn, respected bool
	}
	streaks := make(map[pair]*streak)
	lastMessage := make(map[pair]string) // newest message id per direction, for in_reply_to
	expect := func(what, user, other string) {
		p.expected = append(p.expected, expectation{what: what, user: userID(run, user), other: userID(run, other)})
	}

	for i, e := range script {
		id := fmt.Sprintf("demo-%s-m-%d", run, i+1)
		from, to := userID(run, e.from), userID(run, e.to)
		sentAt := start.Add(e.at) // in the clock's time zone, as the timeline shows it
		st := step{sentAt: sentAt, from: p.names[from], to: p.names[to], text: e.text}

		// Any event from B to A answers A: A's streak to B ends.
		delete(streaks, pair{e.to, e.from})

		if e.reply {
			st.note = "reply"
			st.msg = topicMessage{topic: names.Reply, eventType: topics.TypeReply, key: from, value: topics.Reply{
				MessageID: id, SenderID: from, RecipientID: to, SentAt: sentAt.UTC(),
				InReplyTo: lastMessage[pair{e.to, e.from}],
			}}
			p.steps = append(p.steps, st)
			continue
		}

		lastMessage[pair{e.from, e.to}] = id
		st.msg = topicMessage{topic: names.MessageSent, eventType: topics.TypeMessageSent, key: from, value: topics.MessageSent{
			MessageID: id, SenderID: from, RecipientID: to, SentAt: sentAt.UTC(),
			ConversationID: conversationID(run, e.from, e.to),
			Text:           e.text, Locale: locale[e.from], Labels: e.labels,
		}}

		s := streaks[pair{e.from, e.to}]
		if s == nil {
			s = &streak{}
			streaks[pair{e.from, e.to}] = s
		}
		s.count++
		st.note = "message"
		if s.count > 1 {
			st.note = fmt.Sprintf("message %d unanswered in a row", s.count)
		}
		switch s.count {
		case nudgeAt:
			expect("nudge "+topics.KindFollowUpLimit, e.from, e.to)
			expect("nudge "+topics.KindCheckIn, e.to, e.from)
			s.checkedIn = true
		case alertMediumAt:
			expect("alert "+topics.SeverityMedium, e.from, e.to)
		case alertHighAt:
			expect("alert "+topics.SeverityHigh, e.from, e.to)
		}
		if severity := labelSeverity(e.labels); severity != "" {
			st.note += ", labelled " + strings.Join(e.labels, ", ")
			if !s.respected {
				expect("nudge "+topics.KindRespectfulLanguage, e.from, e.to)
				s.respected = true
			}
			if !s.checkedIn {
				expect("nudge "+topics.KindCheckIn, e.to, e.from)
				s.checkedIn = true
			}
			expect("alert "+severity, e.from, e.to)
		}
		p.steps = append(p.steps, st)
	}
	return p
}

// labelSeverity is the alert severity the default policy gives a message with these
// upstream labels, or "" if none of them carries a rule.
func labelSeverity(labels []string) string {
	severity := ""
	for _, l := range labels {
		switch contentSeverity[l] {
		case topics.SeverityHigh:
			return topics.SeverityHigh
		case topics.SeverityMedium:
			severity = topics.SeverityMedium
		}
	}
	return severity
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
