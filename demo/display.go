package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
)

// indent puts output lines under the text of input lines, past the "15:04  " column.
const indent = "       "

// header explains the timeline and how to add events by hand.
func (t *timeline) header(now time.Time) {
	n := t.cfg.Topics
	broker := t.cfg.Brokers[0]
	sentAt := now.UTC().Truncate(time.Second).Format(time.RFC3339)
	t.printf(`relance demo (run %s)

A small dating platform: %d simulated members write to each other through Kafka at %s
(topics %s and %s) and answer the coach's check-ins (%s). relance reads them
and publishes coach nudges (%s, shown 🧭) and moderation alerts (%s, shown 🛡)
as they happen.
Times on the left are the members' simulated clock.

Add your own events (a new message_id each time; sent_at at most 15 minutes ahead):
  kcat -b %s -t %s -P -k u-1 <<< '{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"%s"}'
  kcat -b %s -t %s -P -k u-2 <<< '{"message_id":"m-2","sender_id":"u-2","recipient_id":"u-1","sent_at":"%s"}'
  kcat -b %s -t %s -P -k u-2 <<< '{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"report","at":"%s"}'
Watch relance's outputs:
  kcat -b %s -t %s -C -o beginning
  kcat -b %s -t %s -C -o beginning
`, t.plan.run, len(members), broker, n.MessageSent, n.Reply, n.MemberAction, n.CoachNudge, n.ModerationAlert,
		broker, n.MessageSent, sentAt,
		broker, n.Reply, sentAt,
		broker, n.MemberAction, sentAt,
		broker, n.CoachNudge,
		broker, n.ModerationAlert)
	if t.cfg.Exit {
		t.printf("(This run exits once the scenario's outputs are in; make run keeps listening.)\n")
	}
	t.printf("\n")
}

// showStep shows a scripted event, e.g.
//
//	10:27  Noah → Inès   attempt 4 (3 follow-ups), 6 unanswered   "Tu es là ?"
//
// or a member action, without text:
//
//	10:50  Inès → Noah   report
func (t *timeline) showStep(s step) {
	if s.text == "" {
		t.printf("%s  %s  %s\n", s.sentAt.Format("15:04"), pad(arrow(s.from, s.to), t.pairW), s.note)
		return
	}
	t.printf("%s  %s  %s  %q\n", s.sentAt.Format("15:04"),
		pad(arrow(s.from, s.to), t.pairW), pad(s.note, t.noteW), s.text)
}

// showOutput shows a record read from an output topic, unless it is a duplicate (same
// nudge or alert id, as after a redelivery), and ticks it off the expected outputs.
func (t *timeline) showOutput(m kafka.Message) {
	var (
		line, id string
		exp      expectation
		ours     bool
	)
	switch m.Topic {
	case t.cfg.Topics.CoachNudge:
		var n topics.CoachNudge
		if err := json.Unmarshal(m.Value, &n); err != nil {
			t.printf("%s?  undecodable %s record at partition %d offset %d: %v\n", indent, m.Topic, m.Partition, m.Offset, err)
			return
		}
		id, exp, ours = "nudge "+n.NudgeID, nudgeExpectation(n), t.plan.ours(n.UserID)
		line = fmt.Sprintf("🧭 %s  nudge %s: %s", pad(arrow(n.Coach, t.plan.name(n.UserID)), t.pairW), n.Kind, n.Title)
	case t.cfg.Topics.ModerationAlert:
		var a topics.ModerationAlert
		if err := json.Unmarshal(m.Value, &a); err != nil {
			t.printf("%s?  undecodable %s record at partition %d offset %d: %v\n", indent, m.Topic, m.Partition, m.Offset, err)
			return
		}
		id, exp, ours = "alert "+a.AlertID, alertExpectation(a), t.plan.ours(a.SenderID)
		line = fmt.Sprintf("🛡  moderation alert %-6s  %s  reasons: %s  evidence: %s",
			strings.ToUpper(a.Severity), arrow(t.plan.name(a.SenderID), t.plan.name(a.RecipientID)),
			strings.Join(a.Reasons, ", "), plural(len(a.MessageIDs), "message"))
		if len(a.ContentLabels) > 0 {
			line += "  labels: " + strings.Join(a.ContentLabels, ", ")
		}
	default:
		return
	}
	if t.seen[id] {
		return // consumers drop duplicates by id; so does the demo
	}
	t.seen[id] = true
	switch {
	case !ours:
		// An output of events added by hand: shown, never expected.
	case t.pending[exp] > 0:
		t.pending[exp]--
		t.missing--
	default:
		line += "  (not expected from the scenario)"
	}
	t.printf("%s%s\n", indent, line)
}

// printf writes to out, remembering the first error: a broken terminal does not stop the
// demo, but Exit mode reports it.
func (t *timeline) printf(format string, args ...any) {
	if _, err := fmt.Fprintf(t.out, format, args...); err != nil && t.writeErr == nil {
		t.writeErr = fmt.Errorf("demo: write timeline: %w", err)
	}
}

func arrow(from, to string) string { return from + " → " + to }

// width is the number of characters of s, close enough to its width on a terminal.
func width(s string) int { return utf8.RuneCountInString(s) }

func pad(s string, w int) string {
	if n := width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
