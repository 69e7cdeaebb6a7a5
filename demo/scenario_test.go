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
		{"nudge respectful_language", id("jordan"), id("camille")},
		{"nudge check_in", id("camille"), id("jordan")},
		{"alert medium", id("jordan"), id("camille")},
		{"alert high", id("noah"), id("ines")},
	}
	if !slices.Equal(p.expected, want) {
		t.Errorf("expected outputs:\n got %v\nwant %v", p.expected, want)
	}
	if n, a := p.counts(); n != 4 || a != 3 {
		t.Errorf("counts() = %d nudges, %d alerts; want 4, 3", n, a)
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
		default:
			t.Fatalf("step %d: value %T", i, v)
		}
		switch {
		case ids[msgID] || !strings.HasPrefix(msgID, "demo-r1-m-"):
			t.Errorf("step %d: message id %q is a duplicate or lacks the run token", i, msgID)
		case s.msg.key != sender || !p.ours(sender):
			t.Errorf("step %d: key %q, sender %q: want the run's sender id as key", i, s.msg.key, sender)
		case sentAt.After(now) || !sentAt.After(prev):
			t.Errorf("step %d: sent_at %s after now %s or not after the previous event %s", i, sentAt, now, prev)
		}
		ids[msgID], prev = true, sentAt
	}
	if got := p.steps[len(p.steps)-1].note; got != "attempt 12 (11 follow-ups), 12 unanswered" {
		t.Errorf("last step's note = %q", got)
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
