package demo

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

func TestPlanExpectsWhatTheDefaultPolicyDecides(t *testing.T) {
	p := newPlan("r1", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), topics.Names{}.WithDefaults())
	id := func(key string) string { return userID("r1", key) }
	want := []expectation{
		{"nudge follow_up_limit", id("noah"), id("ines")},
		{"nudge check_in", id("ines"), id("noah")},
		{"alert medium", id("noah"), id("ines")},
		{"alert high", id("noah"), id("ines")}, // Inès reports Noah
		{"nudge respectful_language", id("jordan"), id("camille")},
		{"nudge check_in", id("camille"), id("jordan")},
		{"alert medium", id("jordan"), id("camille")},
		{"alert high", id("noah"), id("ines")},
	}
	if !slices.Equal(p.expected, want) {
		t.Errorf("expected outputs:\n got %v\nwant %v", p.expected, want)
	}
	if n, a := p.counts(); n != 4 || a != 4 {
		t.Errorf("counts() = %d nudges, %d alerts; want 4, 4", n, a)
	}
}

func TestPlanSteps(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	p := newPlan("r1", now.Add(-lead), names)
	if len(p.steps) != len(script) {
		t.Fatalf("%d steps for %d scripted events", len(p.steps), len(script))
	}
	ids := make(map[string]bool)
	var prev time.Time
	for i, s := range p.steps {
		var msgID, sender string
		var sentAt time.Time
		switch v := s.msg.value.(type) {
		case topics.MessageSent:
			msgID, sender, sentAt = v.MessageID, v.SenderID, v.SentAt
			if s.msg.topic != names.MessageSent || v.Locale == "" {
				t.Errorf("step %d: message on topic %q with locale %q", i, s.msg.topic, v.Locale)
			}
		case topics.Reply:
			msgID, sender, sentAt = v.MessageID, v.SenderID, v.SentAt
			if s.msg.topic != names.Reply || v.InReplyTo == "" {
				t.Errorf("step %d: reply on topic %q in reply to %q", i, s.msg.topic, v.InReplyTo)
			}
		case topics.MemberAction:
			msgID, sender, sentAt = v.ActionID, v.MemberID, v.At
			if s.msg.topic != names.MemberAction || s.msg.eventType != topics.TypeMemberAction || !s.gated {
				t.Errorf("step %d: member action on topic %q, type %q, gated %t", i, s.msg.topic, s.msg.eventType, s.gated)
			}
			if _, err := topics.DecodeMemberAction(mustEncode(t, v), now); err != nil {
				t.Errorf("step %d: relance would refuse %+v: %v", i, v, err)
			}
		default:
			t.Fatalf("step %d: value %T", i, v)
		}
		switch {
		case ids[msgID] || !strings.HasPrefix(msgID, "demo-r1-m-") && !strings.HasPrefix(msgID, "demo-r1-a-"):
			t.Errorf("step %d: message id %q is a duplicate or lacks the run token", i, msgID)
		case s.msg.key != sender || !p.ours(sender):
			t.Errorf("step %d: key %q, sender %q: want the run's sender id as key", i, s.msg.key, sender)
		case sentAt.After(now) || !sentAt.After(prev):
			t.Errorf("step %d: sent_at %s after now %s or not after the previous event %s", i, sentAt, now, prev)
		}
		ids[msgID], prev = true, sentAt
	}
	if got := p.steps[len(p.steps)-1].note; got != "attempt 12 (11 follow-ups), 14 unanswered" {
		t.Errorf("last step's note = %q", got)
	}
}

// stepsOf returns the plan's steps from one member to another, in order.
func stepsOf(p plan, from, to string) []step {
	var out []step
	for _, s := range p.steps {
		if s.from == from && s.to == to {
			out = append(out, s)
		}
	}
	return out
}

func TestPlanLeavesTheBurstAlone(t *testing.T) {
	p := newPlan("r1", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), topics.Names{}.WithDefaults())
	burst := stepsOf(p, "Jordan", "Sam")
	if len(burst) != 4 {
		t.Fatalf("Jordan → Sam: %d messages, want a burst of 4", len(burst))
	}
	if d := burst[3].sentAt.Sub(burst[0].sentAt); d > time.Minute {
		t.Errorf("the burst spans %s, want quick bubbles within a minute", d)
	}
	for i, s := range burst {
		if len(s.expected) > 0 {
			t.Errorf("bubble %d (%q) causes %v, want nothing", i+1, s.text, s.expected)
		}
	}
	if got, want := burst[3].note, "4 messages in one attempt: no follow-up yet"; got != want {
		t.Errorf("last bubble's note = %q, want %q", got, want)
	}
	for _, e := range p.expected {
		if e.user == userID("r1", "sam") && e.other == userID("r1", "jordan") || e.user == userID("r1", "jordan") && e.other == userID("r1", "sam") {
			t.Errorf("expected output %v between Jordan and Sam", e)
		}
	}
}

func TestPlanNudgesNoahAtHisFourthAttempt(t *testing.T) {
	p := newPlan("r1", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), topics.Names{}.WithDefaults())
	noah := stepsOf(p, "Noah", "Inès")
	if len(noah) != 14 {
		t.Fatalf("Noah → Inès: %d messages, want 14 (a burst of 3, then 11 follow-ups)", len(noah))
	}
	id := func(key string) string { return userID("r1", key) }
	want := map[int][]expectation{ // message index (from 0) → outputs
		5:  {{"nudge follow_up_limit", id("noah"), id("ines")}, {"nudge check_in", id("ines"), id("noah")}},
		8:  {{"alert medium", id("noah"), id("ines")}},
		13: {{"alert high", id("noah"), id("ines")}},
	}
	for i, s := range noah {
		if !slices.Equal(s.expected, want[i]) {
			t.Errorf("message %d (%q, %s) causes %v, want %v", i+1, s.text, s.note, s.expected, want[i])
		}
	}
	for i, want := range map[int]string{
		0:  "message, attempt 1",
		2:  "3 messages in one attempt: no follow-up yet",
		3:  "attempt 2 (1 follow-up), 4 unanswered",
		5:  "attempt 4 (3 follow-ups), 6 unanswered",
		8:  "attempt 7 (6 follow-ups), 9 unanswered",
		13: "attempt 12 (11 follow-ups), 14 unanswered",
	} {
		if got := noah[i].note; got != want {
			t.Errorf("message %d's note = %q, want %q", i+1, got, want)
		}
	}
	// The 4th message is the first follow-up: nothing yet.
	if len(noah[3].expected) != 0 {
		t.Errorf("Noah's 4th message (his 2nd attempt) causes %v", noah[3].expected)
	}
	// Follow-ups are more than the default burst apart: each starts an attempt.
	for i := 3; i < len(noah); i++ {
		if gap := noah[i].sentAt.Sub(noah[i-1].sentAt); gap <= policy.Default().Burst() {
			t.Errorf("message %d is %s after the previous one, within the burst", i+1, gap)
		}
	}
}

func TestPlanChecksEveryText(t *testing.T) {
	p := newPlan("r1", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), topics.Names{}.WithDefaults())
	for i, s := range p.steps {
		offensive := strings.Contains(s.note, "offensive")
		if want := s.text == "Who asked you? Idiot."; offensive != want {
			t.Errorf("step %d (%q): note %q, offensive %t, want %t", i, s.text, s.note, offensive, want)
		}
	}
}

func TestPlanWithoutLabelsStillFindsTheInsult(t *testing.T) {
	// The text check finds what the platform's labels say: the content rule does not rest
	// on the labels alone.
	in, _, d := newDecider().decide(topics.MessageSent{
		MessageID: "m-1", SenderID: "a", RecipientID: "b", SentAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		Text: "Who asked you? Idiot.", Locale: "en",
	})
	if !slices.Equal(in.Observation.Categories, []policy.Category{policy.CategoryInsult}) || len(d.Alerts) != 1 {
		t.Errorf("categories %v, %d alerts; want insult, 1 alert", in.Observation.Categories, len(d.Alerts))
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{Brokers: []string{"localhost:9092"}}, ""},
		{"as fast as possible", Config{Brokers: []string{"localhost:9092"}, Pace: -1}, ""},
		{"no brokers", Config{}, "no Kafka brokers"},
		{"empty broker", Config{Brokers: []string{""}}, "empty broker"},
		{"negative timeout", Config{Brokers: []string{"localhost:9092"}, Timeout: -time.Second}, "negative timeout"},
		{"bad topic", Config{Brokers: []string{"localhost:9092"}, Topics: topics.Names{Reply: "a b"}}, "reply topic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if got := errString(err); !strings.Contains(got, tt.wantErr) || (tt.wantErr == "") != (err == nil) {
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := topics.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPlanInesReportsNoah(t *testing.T) {
	p := newPlan("r1", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), topics.Names{}.WithDefaults())
	id := func(key string) string { return userID("r1", key) }
	reports := stepsOf(p, "Inès", "Noah")
	if len(reports) != 1 {
		t.Fatalf("Inès → Noah: %d steps, want her report", len(reports))
	}
	r := reports[0]
	a, ok := r.msg.value.(topics.MemberAction)
	if !ok || a.Action != topics.MemberActionReport || a.MemberID != id("ines") || a.OtherMemberID != id("noah") {
		t.Fatalf("Inès's step is %+v, want her report about Noah", r.msg.value)
	}
	if r.note != "report" || r.text != "" || !r.gated {
		t.Errorf("note %q, text %q, gated %t", r.note, r.text, r.gated)
	}
	if want := []expectation{{"alert high", id("noah"), id("ines")}}; !slices.Equal(r.expected, want) {
		t.Errorf("the report causes %v, want %v", r.expected, want)
	}
	// It answers the check-in: its nudge id is the one relance gives Inès's check-in.
	d := newDecider()
	var checkIn string
	for _, s := range p.steps {
		if s.msg.value == r.msg.value {
			break
		}
		_, _, out := d.decide(s.msg.value)
		for _, n := range out.Nudges {
			if n.Kind == topics.KindCheckIn && n.UserID == id("ines") {
				checkIn = n.NudgeID
			}
		}
	}
	if checkIn == "" || a.NudgeID != checkIn {
		t.Errorf("report's nudge_id %q, Inès's check-in %q", a.NudgeID, checkIn)
	}
	// After Noah's 7th attempt, which raised the medium alert.
	noah := stepsOf(p, "Noah", "Inès")
	if !noah[8].sentAt.Before(r.sentAt) || !r.sentAt.Before(noah[9].sentAt) {
		t.Errorf("report at %s, not between Noah's 9th and 10th messages", r.sentAt.Format("15:04"))
	}
	// The report's alert, decided alone: reasons reported plus what the streak showed.
	d = newDecider()
	for _, s := range p.steps {
		_, _, out := d.decide(s.msg.value)
		if s.msg.value == r.msg.value {
			if len(out.Alerts) != 1 || !slices.Equal(out.Alerts[0].Reasons, []string{"reported", "unanswered_streak", "continued_after_nudge"}) ||
				out.Alerts[0].ActionID != a.ActionID || len(out.Alerts[0].MessageIDs) != 9 {
				t.Errorf("report's alert %+v", out.Alerts)
			}
			break
		}
	}
}
