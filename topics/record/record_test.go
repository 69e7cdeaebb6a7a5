package record_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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
			m := record.DeadLetter("dlq", tt.src, tt.reason, record.PayloadFull)
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

// TestDeadLetterRedacted: by default a dead letter holds no message text. The contract
// names only the top-level text member: a "text" nested in another member is not message
// text and stays.
func TestDeadLetterRedacted(t *testing.T) {
	const secret = "SECRET-7f3a"
	big := strings.Repeat("é", topics.MaxValueBytes) // over 64 KiB on its own
	tests := []struct {
		name  string
		value string
		want  string // the redacted value; "" for one written empty
	}{
		{
			name:  "object with text: the member goes, the others keep their bytes",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-1","sent_at":"2026-11-23T10:15:00.123Z","text":"` + secret + `","labels":["insult"],"n":1.50}`,
			want:  `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-1","sent_at":"2026-11-23T10:15:00.123Z","labels":["insult"],"n":1.50}`,
		},
		{
			name:  "text first, spaces inside members kept, between them not",
			value: " { \"text\" : \"" + secret + "\" ,\n  \"a\" : [1, 2] ,\"b\":{\"c\": null} }\n",
			want:  `{"a" : [1, 2],"b":{"c": null}}`,
		},
		{
			name:  "text the only member",
			value: `{"text":"` + secret + `"}`,
			want:  `{}`,
		},
		{
			name:  "text spelled as decoders read it: escaped, other case, repeated",
			value: `{"te\u0078t":"` + secret + `","Text":"` + secret + `","TEXT":"` + secret + `","text":"` + secret + `","id":"m-1"}`,
			want:  `{"id":"m-1"}`,
		},
		{
			name:  "text of another type",
			value: `{"id":"m-1","text":{"body":"` + secret + `"}}`,
			want:  `{"id":"m-1"}`,
		},
		{
			name:  "nested text is not the message's: kept",
			value: `{"id":"m-1","attachments":[{"kind":"image","text":"caption"}]}`,
			want:  `{"id":"m-1","attachments":[{"kind":"image","text":"caption"}]}`,
		},
		{
			name:  "object without text: unchanged",
			value: `{"message_id":"m-1","sender_id":5}`,
			want:  `{"message_id":"m-1","sender_id":5}`,
		},
		{
			name:  "oversize object: the text goes, the rest stays",
			value: `{"message_id":"m-1","text":"` + secret + big + `","conversation_id":"c-1"}`,
			want:  `{"message_id":"m-1","conversation_id":"c-1"}`,
		},
		{name: "not JSON", value: "salut " + secret},
		{name: "truncated object", value: `{"message_id":"m-1","text":"` + secret},
		{name: "object then more", value: `{"id":"m-1"} {"text":"` + secret + `"}`},
		{name: "not UTF-8", value: "\xff\x00{" + secret},
		{name: "JSON string", value: `"` + secret + `"`},
		{name: "JSON array", value: `[{"text":"` + secret + `"}]`},
		{name: "JSON null", value: `null`},
		{name: "empty", value: ``},
		{name: "oversize, not JSON", value: secret + big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := kafka.Message{Topic: "message-sent", Partition: 2, Offset: 9, Key: []byte("k"), Value: []byte(tt.value)}
			reason := fmt.Errorf("decode message-sent: %w", topics.ErrInvalidEvent)
			headers := map[string]string{
				"error":            "decode message-sent: invalid event",
				"source-topic":     "message-sent",
				"source-partition": "2",
				"source-offset":    "9",
			}
			if tt.want == "" {
				sum := sha256.Sum256(src.Value)
				headers["payload-bytes"] = fmt.Sprint(len(tt.value))
				headers["payload-sha256"] = hex.EncodeToString(sum[:])
			}
			for _, p := range []record.Payload{record.PayloadRedacted, ""} {
				m := record.DeadLetter("dlq", src, reason, p)
				assertRecord(t, m, "dlq", "k", []byte(tt.want), headers)
				if bytes.Contains(m.Value, []byte(secret)) || bytes.Contains(m.Value, []byte("é")) {
					t.Errorf("payload %q: value %.80q holds the text", p, m.Value)
				}
				if tt.want == "" && m.Value == nil {
					t.Errorf("payload %q: nil value: want empty, not a tombstone", p)
				}
			}
			if tt.want != "" && !json.Valid([]byte(tt.want)) {
				t.Errorf("redacted value %q is not JSON", tt.want)
			}
		})
	}
}

// TestDeadLetterFull: the operator's choice keeps the input's bytes and adds no header.
func TestDeadLetterFull(t *testing.T) {
	for _, v := range []string{`{"id":"m-1", "text":"salut"}`, "\xffsalut", ""} {
		src := kafka.Message{Topic: "reply", Partition: 0, Offset: 1, Key: []byte("k"), Value: []byte(v)}
		m := record.DeadLetter("dlq", src, errors.New("invalid event"), record.PayloadFull)
		assertRecord(t, m, "dlq", "k", src.Value, map[string]string{
			"error": "invalid event", "source-topic": "reply", "source-partition": "0", "source-offset": "1",
		})
	}
}

func TestPayloadValidate(t *testing.T) {
	for _, p := range []record.Payload{"", "redacted", "full"} {
		if err := p.Validate(); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
	for _, p := range []record.Payload{"Full", "none", " redacted"} {
		if err := p.Validate(); err == nil {
			t.Errorf("%q: no error", p)
		}
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
