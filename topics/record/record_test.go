package record_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// golden reads topics' golden file name into v and returns its bytes: a record's value
// must be them exactly.
func golden(t *testing.T, name string, v any) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func TestNudge(t *testing.T) {
	var n topics.CoachNudge
	want := golden(t, "coach-nudge.check_in", &n)
	m, err := record.Nudge("out.nudges", n)
	if err != nil {
		t.Fatal(err)
	}
	assertRecord(t, m, "out.nudges", n.UserID, want, map[string]string{"event-type": "coach-nudge", "event-version": "1"})
}

func TestAlert(t *testing.T) {
	var a topics.ModerationAlert
	want := golden(t, "moderation-alert.medium", &a)
	m, err := record.Alert("out.alerts", a)
	if err != nil {
		t.Fatal(err)
	}
	assertRecord(t, m, "out.alerts", a.SenderID, want, map[string]string{"event-type": "moderation-alert", "event-version": "1"})
}

// TestRefused: an event that breaks its schema makes no record (topics' tests cover every rule).
func TestRefused(t *testing.T) {
	var n topics.CoachNudge
	golden(t, "coach-nudge.follow_up_limit", &n)
	n.Kind = topics.KindCheckIn
	if _, err := record.Nudge("coach-nudge", n); err == nil || err.Error() != `coach-nudge: kind "check_in": not for audience "sender"` {
		t.Errorf("nudge: error = %v", err)
	}
	var a topics.ModerationAlert
	golden(t, "moderation-alert.high", &a)
	a.Reasons = nil
	if _, err := record.Alert("moderation-alert", a); err == nil || err.Error() != "moderation-alert: reasons: empty" {
		t.Errorf("alert: error = %v", err)
	}
}

func TestDeadLetter(t *testing.T) {
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
			m := record.DeadLetter("dlq", tt.src, tt.reason)
			assertRecord(t, m, "dlq", string(tt.src.Key), tt.src.Value, map[string]string{
				"error":            tt.wantError,
				"source-topic":     tt.src.Topic,
				"source-partition": fmt.Sprint(tt.src.Partition),
				"source-offset":    fmt.Sprint(tt.src.Offset),
			})
			if (m.Key == nil) != (tt.src.Key == nil) {
				t.Errorf("key %q, source key %q: a null key must stay null", m.Key, tt.src.Key)
			}
			if !utf8.ValidString(record.HeaderValue(m, "error")) || len(record.HeaderValue(m, "error")) > record.MaxErrorHeaderBytes {
				t.Errorf("error header %q: not valid UTF-8 of at most %d bytes", record.HeaderValue(m, "error"), record.MaxErrorHeaderBytes)
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
			if got := record.HeaderValue(m, tt.header); got != tt.want {
				t.Errorf("HeaderValue(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

// assertRecord checks a record's topic, key, value and exact headers, the header names
// spelled out as consumers spell them.
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
		if got := record.HeaderValue(m, name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
}
