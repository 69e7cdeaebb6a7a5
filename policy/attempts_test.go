package policy_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/streak"
)

// event is one input of a timeline: a message (or a reply) from one member to the other,
// sent at offset from t0.
type event struct {
	id       string
	from, to string
	offset   time.Duration
	reply    bool
	// action: a member action of from about to (MemberAction), id its action id.
	action     policy.Action
	categories []policy.Category
}

// inesActs is ines's action about noah.
func inesActs(a policy.Action, id string, offset time.Duration) event {
	return event{id: id, from: "ines", to: "noah", offset: offset, action: a}
}

// noah writes to ines; ines answers noah.
func noah(id string, offset time.Duration) event {
	return event{id: id, from: "noah", to: "ines", offset: offset}
}
func ines(offset time.Duration) event {
	return event{id: "reply", from: "ines", to: "noah", offset: offset, reply: true}
}

// bubbles are n messages from noah, first sent at start, every gap after it.
func bubbles(prefix string, n int, start, gap time.Duration) []event {
	var out []event
	for i := range n {
		out = append(out, noah(fmt.Sprintf("%s%d", prefix, i+1), start+time.Duration(i)*gap))
	}
	return out
}

func timeline(parts ...[]event) []event { return slices.Concat(parts...) }

// outcome is what one event decided: its streak's counts and its outputs.
type outcome struct {
	status          policy.Status
	attempts, count int
	outputs         []string
	ids             []string
}

// decideTimeline runs the events through the streak algorithm and the policy, as the
// processor does, and returns each event's outcome.
func decideTimeline(t *testing.T, pol *policy.Policy, events []event) []outcome {
	t.Helper()
	l := streak.LimitsFor(pol)
	p := &streak.Pair{}
	var out []outcome
	for _, e := range events {
		o := policy.Observation{Action: policy.ActionMessage, MessageID: e.id, SenderID: e.from, RecipientID: e.to,
			SentAt: t0.Add(e.offset)}
		if e.reply {
			o.Action = policy.ActionReply
		}
		if e.action != 0 { // the streak acted on is the other member's
			o.Action, o.SenderID, o.RecipientID = e.action, e.to, e.from
		}
		o.Categories = e.categories
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		s := l.Apply(p, "ines", o)
		d := pol.Decide(policy.Input{Observation: o, Locale: "fr"}, s)
		oc := outcome{attempts: s.Attempts, count: s.Count, status: s.Status}
		for _, n := range d.Nudges {
			oc.outputs = append(oc.outputs, n.Kind)
			oc.ids = append(oc.ids, n.NudgeID)
			if n.Attempts != s.Attempts || n.UnansweredCount != s.Count {
				t.Errorf("%s: nudge says %d attempts, %d messages; the streak %d, %d", e.id, n.Attempts, n.UnansweredCount, s.Attempts, s.Count)
			}
		}
		for _, a := range d.Alerts {
			desc := "alert " + a.Severity + " " + strings.Join(a.Reasons, ",")
			if a.ActionID != "" {
				desc += fmt.Sprintf(" evidence=%s", strings.Join(a.MessageIDs, ","))
			}
			oc.outputs = append(oc.outputs, desc)
			oc.ids = append(oc.ids, a.AlertID)
		}
		out = append(out, oc)
	}
	return out
}

// fired lists the events that decided something, as "id: output, output".
func fired(events []event, outcomes []outcome) []string {
	var out []string
	for i, oc := range outcomes {
		if len(oc.outputs) > 0 {
			out = append(out, events[i].id+": "+strings.Join(oc.outputs, ", "))
		}
	}
	return out
}

const (
	limit    = "follow_up_limit, check_in"
	medium   = "alert medium unanswered_streak,continued_after_nudge"
	high     = "alert high unanswered_streak,continued_after_nudge"
	reminder = "follow_up_reminder"
)

// TestAttemptsTable is rule 2 as members live it, under the default policy (bursts of 5
// minutes; the nudge at 4 attempts or 10 messages, alerts at 7 or 20 and 12 or 40).
func TestAttemptsTable(t *testing.T) {
	const burst = 5 * time.Minute
	tests := []struct {
		name     string
		events   []event
		fired    []string
		attempts int // the last event's
	}{
		{
			name:     "four bubbles in 24 seconds are one attempt",
			events:   bubbles("m", 4, 0, 8*time.Second),
			attempts: 1,
		},
		{
			name:     "three follow-ups after a first burst are too much",
			events:   timeline(bubbles("m", 4, 0, 8*time.Second), bubbles("f", 3, time.Hour, time.Hour)),
			fired:    []string{"f3: " + limit},
			attempts: 4,
		},
		{
			name:     "messages exactly burst apart are attempts of their own",
			events:   bubbles("m", 4, 0, burst),
			fired:    []string{"m4: " + limit},
			attempts: 4,
		},
		{
			name:     "messages just under burst apart",
			events:   bubbles("m", 4, 0, burst-time.Millisecond),
			attempts: 2, // m1 and m2, then m3 (burst after m1, not after m2) and m4
		},
		{
			name:     "an attempt is anchored to its first message: writing every four minutes",
			events:   bubbles("m", 7, 0, 4*time.Minute), // attempts start at m1, m3, m5, m7
			fired:    []string{"m7: " + limit},
			attempts: 4,
		},
		{
			name: "an answer ends the burst: the next message starts a new streak",
			events: timeline(bubbles("m", 3, 0, time.Hour), []event{ines(2*time.Hour + time.Minute)},
				bubbles("n", 4, 2*time.Hour+2*time.Minute, time.Hour)),
			fired:    []string{"n4: " + limit},
			attempts: 4,
		},
		{
			name: "a burst across an answer is two streaks",
			events: timeline(bubbles("m", 2, 0, time.Minute), []event{ines(2 * time.Minute)},
				bubbles("n", 2, 3*time.Minute, time.Minute)),
			attempts: 1,
		},
		{
			name: "a late message inside a burst joins it",
			events: timeline(bubbles("m", 3, 0, time.Hour), []event{noah("late", time.Minute)},
				[]event{noah("m4", 3*time.Hour)}),
			fired:    []string{"m4: " + limit},
			attempts: 4,
		},
		{
			name:     "a late message outside every burst is an attempt",
			events:   timeline(bubbles("m", 3, time.Hour, time.Hour), []event{noah("late", 0)}),
			fired:    []string{"late: " + limit},
			attempts: 4,
		},
		{
			name:     "a message sent before the answer is not counted, burst or not",
			events:   timeline(bubbles("m", 3, 0, time.Hour), []event{ines(3 * time.Hour), noah("late", 2*time.Hour+time.Minute)}),
			attempts: 0,
		},
		{
			name:     "a flood: the nudge at 10 messages, the alerts at 20 and 40, in one attempt",
			events:   bubbles("m", 45, 0, time.Second),
			fired:    []string{"m10: " + limit, "m20: " + medium, "m40: " + high},
			attempts: 1,
		},
		{
			name:     "a level fired by messages does not fire again by attempts",
			events:   timeline(bubbles("m", 10, 0, time.Second), bubbles("f", 6, time.Hour, time.Hour)),
			fired:    []string{"m10: " + limit, "f6: " + medium}, // 7 attempts
			attempts: 7,
		},
		{
			name:     "a level fired by attempts does not fire again by messages",
			events:   timeline(bubbles("m", 4, 0, time.Hour), bubbles("b", 7, 4*time.Hour, time.Second)),
			fired:    []string{"m4: " + limit},
			attempts: 5,
		},
		{
			name:     "twelve attempts are persistent",
			events:   timeline(bubbles("m", 12, 0, time.Hour)),
			fired:    []string{"m4: " + limit, "m7: " + medium, "m12: " + high},
			attempts: 12,
		},
	}
	pol := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outcomes := decideTimeline(t, pol, tt.events)
			if got := fired(tt.events, outcomes); !slices.Equal(got, tt.fired) {
				t.Errorf("fired %q, want %q", got, tt.fired)
			}
			if got := outcomes[len(outcomes)-1].attempts; got != tt.attempts {
				t.Errorf("last event: %d attempts, want %d", got, tt.attempts)
			}
		})
	}
}

// TestAttemptsLevelHasOneID: a level's id is the same whichever of its two conditions
// fired it, so a consumer that drops duplicates by id sees one nudge per streak.
func TestAttemptsLevelHasOneID(t *testing.T) {
	pol := policy.Default()
	byMessages := decideTimeline(t, pol, bubbles("m", 10, 0, time.Second))
	byAttempts := decideTimeline(t, pol, bubbles("m", 4, 0, time.Hour))
	a, b := byMessages[len(byMessages)-1], byAttempts[len(byAttempts)-1]
	if len(a.ids) != 2 || !slices.Equal(a.ids, b.ids) {
		t.Errorf("nudge ids by messages %q, by attempts %q: want the same two", a.ids, b.ids)
	}
}

// TestAttemptsReminder: with reminder_at, the sender alone hears of rule 2 at the third
// attempt, once, and never once the limit has fired.
func TestAttemptsReminder(t *testing.T) {
	pol, err := policy.Parse([]byte("version: reminder\nfollow_up:\n  reminder_at: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		events []event
		fired  []string
	}{
		{"at the third attempt, then the limit", bubbles("m", 5, 0, time.Hour),
			[]string{"m3: " + reminder, "m4: " + limit}},
		{"not for bubbles", bubbles("m", 3, 0, time.Minute), nil},
		{"not after a flood reached the limit first", timeline(bubbles("m", 10, 0, time.Second), bubbles("f", 2, time.Hour, time.Hour)),
			[]string{"m10: " + limit}},
		{"again in a new streak", timeline(bubbles("m", 3, 0, time.Hour), []event{ines(3 * time.Hour)}, bubbles("n", 3, 4*time.Hour, time.Hour)),
			[]string{"m3: " + reminder, "n3: " + reminder}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fired(tt.events, decideTimeline(t, pol, tt.events)); !slices.Equal(got, tt.fired) {
				t.Errorf("fired %q, want %q", got, tt.fired)
			}
		})
	}
	// Off by default: the same attempts remind no one.
	if got := fired(bubbles("m", 3, 0, time.Hour), decideTimeline(t, policy.Default(), bubbles("m", 3, 0, time.Hour))); got != nil {
		t.Errorf("default policy fired %q", got)
	}
}

// TestAttemptsBurstZero: with burst 0 every message is an attempt, bubbles included.
func TestAttemptsBurstZero(t *testing.T) {
	pol, err := policy.Parse([]byte("version: per-message\nfollow_up:\n  burst: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	events := bubbles("m", 4, 0, 6*time.Second)
	outcomes := decideTimeline(t, pol, events)
	if got, want := fired(events, outcomes), []string{"m4: " + limit}; !slices.Equal(got, want) {
		t.Errorf("fired %q, want %q", got, want)
	}
	for i, oc := range outcomes {
		if oc.attempts != oc.count || oc.count != i+1 {
			t.Errorf("message %d: %d attempts, %d messages", i+1, oc.attempts, oc.count)
		}
	}
}

// TestAttemptsFloodIsToldAsMessages: the coach tells a flood as many messages, and real
// follow-ups as follow-ups.
func TestAttemptsFloodIsToldAsMessages(t *testing.T) {
	pol := policy.Default()
	l := streak.LimitsFor(pol)
	bodies := func(events []event) []string {
		p := &streak.Pair{}
		var out []string
		for _, e := range events {
			o := policy.Observation{Action: policy.ActionMessage, MessageID: e.id, SenderID: e.from, RecipientID: e.to, SentAt: t0.Add(e.offset)}
			for _, n := range pol.Decide(policy.Input{Observation: o, Locale: "en"}, l.Apply(p, "ines", o)).Nudges {
				out = append(out, n.Body)
			}
		}
		return out
	}
	flood, followUps := bodies(bubbles("m", 10, 0, time.Second)), bodies(bubbles("m", 4, 0, time.Hour))
	if len(flood) != 2 || !strings.Contains(flood[0], "sent this person 10 messages in a short time") ||
		!strings.Contains(flood[1], "sent you 10 messages in a short time") {
		t.Errorf("flood nudges:\n%s", strings.Join(flood, "\n---\n"))
	}
	if len(followUps) != 2 || !strings.Contains(followUps[0], "followed up with this person three times") {
		t.Errorf("follow-up nudges:\n%s", strings.Join(followUps, "\n---\n"))
	}
}
