package topics_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
)

func TestEncode(t *testing.T) {
	got, err := topics.Encode(map[string]string{"title": "<3 & à bientôt"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"title":"<3 & à bientôt"}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestEncodeOutputsNormalises(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{
			name: "nudge with nil lists and a local time",
			v: topics.CoachNudge{NudgeID: "n-1", UserID: "u-1", Audience: topics.AudienceSender, Kind: topics.KindFollowUpLimit,
				OccurredAt: time.Date(2026, 11, 23, 11, 45, 0, 0, paris)},
			want: `{"nudge_id":"n-1","user_id":"u-1","audience":"sender","kind":"follow_up_limit","other_user_id":"","unanswered_count":0,"window_seconds":0,"locale":"","coach":"","title":"","body":"","actions":[],"message_ids":[],"triggered_by":"","occurred_at":"2026-11-23T10:45:00Z","policy_version":""}`,
		},
		{
			name: "alert with nil lists and local times",
			v: topics.ModerationAlert{AlertID: "a-1", Severity: topics.SeverityLow, SenderID: "u-1", Reasons: []string{topics.ReasonHate},
				NudgedAt: ptr(time.Date(2026, 11, 23, 11, 0, 0, 0, paris)), LastMessageAt: time.Date(2026, 11, 23, 11, 45, 0, 0, paris), OccurredAt: time.Date(2026, 11, 23, 11, 45, 0, 0, paris)},
			want: `{"alert_id":"a-1","severity":"low","sender_id":"u-1","recipient_id":"","reasons":["hate"],"unanswered_count":0,"window_seconds":0,"message_ids":[],"content_labels":[],"last_message_at":"2026-11-23T10:45:00Z","nudged_at":"2026-11-23T10:00:00Z","triggered_by":"","occurred_at":"2026-11-23T10:45:00Z","policy_version":""}`,
		},
		{
			name: "nudge through a pointer",
			v:    &topics.CoachNudge{NudgeID: "n-1", UserID: "u-2", Audience: topics.AudienceRecipient, Kind: topics.KindCheckIn, Title: "<3"},
			want: `{"nudge_id":"n-1","user_id":"u-2","audience":"recipient","kind":"check_in","other_user_id":"","unanswered_count":0,"window_seconds":0,"locale":"","coach":"","title":"<3","body":"","actions":[],"message_ids":[],"triggered_by":"","occurred_at":"0001-01-01T00:00:00Z","policy_version":""}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.Encode(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestNudgeRecord(t *testing.T) {
	n := goldens["coach-nudge.check_in"].(topics.CoachNudge)
	m, err := topics.NudgeRecord("out.nudges", n)
	if err != nil {
		t.Fatal(err)
	}
	want, err := topics.Encode(n)
	if err != nil {
		t.Fatal(err)
	}
	assertRecord(t, m, "out.nudges", n.UserID, want, map[string]string{"event-type": "coach-nudge", "event-version": "1"})
}

func TestAlertRecord(t *testing.T) {
	a := goldens["moderation-alert.medium"].(topics.ModerationAlert)
	m, err := topics.AlertRecord("out.alerts", a)
	if err != nil {
		t.Fatal(err)
	}
	want, err := topics.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	assertRecord(t, m, "out.alerts", a.SenderID, want, map[string]string{"event-type": "moderation-alert", "event-version": "1"})
}

// TestEncodeOutputsAreTheGoldens: what the record package publishes is the golden wire form.
func TestEncodeOutputsAreTheGoldens(t *testing.T) {
	for name, v := range goldens {
		var got []byte
		var err error
		switch v := v.(type) {
		case topics.CoachNudge:
			got, err = topics.EncodeNudge(v)
		case topics.ModerationAlert:
			got, err = topics.EncodeAlert(v)
		default:
			continue // an input
		}
		t.Run(name, func(t *testing.T) {
			if err != nil {
				t.Fatal(err)
			}
			if want := must(os.ReadFile(goldenPath(name))); !bytes.Equal(got, want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestEncodeNudgeRejects(t *testing.T) {
	valid := goldens["coach-nudge.follow_up_limit"].(topics.CoachNudge)
	with := func(f func(*topics.CoachNudge)) topics.CoachNudge {
		n := valid
		f(&n)
		return n
	}
	tests := []struct {
		name  string
		nudge topics.CoachNudge
		want  string
	}{
		{"no nudge_id", with(func(n *topics.CoachNudge) { n.NudgeID = "" }), "coach-nudge: nudge_id: missing"},
		{"no user_id", with(func(n *topics.CoachNudge) { n.UserID = "" }), "coach-nudge: user_id: missing"},
		{"unknown audience", with(func(n *topics.CoachNudge) { n.Audience = "moderator" }), `coach-nudge: audience "moderator": unknown`},
		{"unknown kind", with(func(n *topics.CoachNudge) { n.Kind = "warning" }), `coach-nudge: kind "warning": unknown`},
		{"check_in for the sender", with(func(n *topics.CoachNudge) { n.Kind = topics.KindCheckIn }), `coach-nudge: kind "check_in": not for audience "sender"`},
		{"follow_up_limit for the recipient", with(func(n *topics.CoachNudge) { n.Audience = topics.AudienceRecipient }), `coach-nudge: kind "follow_up_limit": not for audience "recipient"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topics.EncodeNudge(tt.nudge)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEncodeAlertRejects(t *testing.T) {
	valid := goldens["moderation-alert.medium"].(topics.ModerationAlert)
	with := func(f func(*topics.ModerationAlert)) topics.ModerationAlert {
		a := valid
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		alert topics.ModerationAlert
		want  string
	}{
		{"no alert_id", with(func(a *topics.ModerationAlert) { a.AlertID = "" }), "moderation-alert: alert_id: missing"},
		{"no sender_id", with(func(a *topics.ModerationAlert) { a.SenderID = "" }), "moderation-alert: sender_id: missing"},
		{"unknown severity", with(func(a *topics.ModerationAlert) { a.Severity = "critical" }), `moderation-alert: severity "critical": unknown`},
		{"no reasons", with(func(a *topics.ModerationAlert) { a.Reasons = nil }), "moderation-alert: reasons: empty"},
		{"unknown reason", with(func(a *topics.ModerationAlert) { a.Reasons = []string{"threat", "spam"} }), `moderation-alert: reason "spam": unknown`},
		{"repeated reason", with(func(a *topics.ModerationAlert) { a.Reasons = []string{"threat", "hate", "threat"} }), `moderation-alert: reason "threat": repeated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topics.EncodeAlert(tt.alert)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDeadLetterRecord(t *testing.T) {
	tests := []struct {
		name      string
		src       kafka.Message
		reason    error
		wantError string
	}{
		{
			name:      "invalid event",
			src:       kafka.Message{Topic: "message-sent", Partition: 3, Offset: 1234567890123, Key: []byte("k-1"), Value: []byte(`{"sender_id":5}`)},
			reason:    fmt.Errorf("decode message-sent: %w", topics.ErrInvalidEvent),
			wantError: "decode message-sent: invalid event",
		},
		{
			name:      "bytes that are not UTF-8, no key",
			src:       kafka.Message{Topic: "reply", Partition: 0, Offset: 0, Value: []byte{0xff, 0x00, '{', 0xc3}},
			reason:    errors.New("invalid event: not valid UTF-8"),
			wantError: "invalid event: not valid UTF-8",
		},
		{
			name:      "empty value",
			src:       kafka.Message{Topic: "reply", Partition: 11, Offset: 42, Key: []byte{}, Value: nil},
			reason:    errors.New("invalid event: empty value"),
			wantError: "invalid event: empty value",
		},
		{
			name:      "nil reason",
			src:       kafka.Message{Topic: "reply", Partition: 1, Offset: 7, Value: []byte("x")},
			wantError: "unknown",
		},
		{
			name:      "long reason truncated on a rune boundary",
			src:       kafka.Message{Topic: "reply", Partition: 1, Offset: 7, Value: []byte("x")},
			reason:    errors.New("x" + strings.Repeat("é", 600)),
			wantError: "x" + strings.Repeat("é", 255),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := topics.DeadLetterRecord("dlq", tt.src, tt.reason)
			assertRecord(t, m, "dlq", string(tt.src.Key), tt.src.Value, map[string]string{
				"error":            tt.wantError,
				"source-topic":     tt.src.Topic,
				"source-partition": fmt.Sprint(tt.src.Partition),
				"source-offset":    fmt.Sprint(tt.src.Offset),
			})
			if (m.Key == nil) != (tt.src.Key == nil) {
				t.Errorf("key %q, source key %q: a null key must stay null", m.Key, tt.src.Key)
			}
			if !utf8.ValidString(topics.HeaderValue(m, "error")) || len(topics.HeaderValue(m, "error")) > topics.MaxErrorHeaderBytes {
				t.Errorf("error header %q: not valid UTF-8 of at most %d bytes", topics.HeaderValue(m, "error"), topics.MaxErrorHeaderBytes)
			}
		})
	}
}

func TestHeaderValue(t *testing.T) {
	m := kafka.Message{Headers: []kafka.Header{
		{Key: "event-type", Value: []byte("reply")},
		{Key: "empty", Value: nil},
		{Key: "event-type", Value: []byte("message-sent")},
	}}
	tests := []struct {
		name, header, want string
	}{
		{"present", "empty", ""},
		{"absent", "event-version", ""},
		{"repeated: the last wins", "event-type", "message-sent"},
		{"case-sensitive", "Event-Type", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := topics.HeaderValue(m, tt.header); got != tt.want {
				t.Errorf("HeaderValue(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

// assertRecord checks a record's topic, key, value and exact headers.
func assertRecord(t *testing.T, m kafka.Message, topic, key string, value []byte, headers map[string]string) {
	t.Helper()
	if m.Topic != topic {
		t.Errorf("topic = %q, want %q", m.Topic, topic)
	}
	if string(m.Key) != key {
		t.Errorf("key = %q, want %q", m.Key, key)
	}
	if !bytes.Equal(m.Value, value) {
		t.Errorf("value = %q, want %q", m.Value, value)
	}
	if len(m.Headers) != len(headers) {
		t.Errorf("%d headers, want %d: %v", len(m.Headers), len(headers), m.Headers)
	}
	for name, want := range headers {
		if got := topics.HeaderValue(m, name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
}
