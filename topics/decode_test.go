package topics_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/topics"
)

// secret is in every bad input below: no error may repeat it.
const secret = "SECRET-TEXT"

// head is a valid MessageSent without its closing brace, for cases that add one field.
const head = `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"`

func TestDecodeMessageSentRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	labels := func(n int) string { return `["` + strings.Repeat(`a","`, n-1) + `a"]` }
	attachments := func(n int) string { return `[` + strings.Repeat(`{"kind":"image"},`, n-1) + `{"kind":"image"}]` }
	tests := []struct {
		name  string
		value string
		want  string
	}{
		// Not a JSON object.
		{"empty value", ``, "invalid event: empty value"},
		{"over 64 KiB", head + `,"x":"` + long(topics.MaxValueBytes) + `"}`, "invalid event: value over 65536 bytes"},
		{"invalid UTF-8 in text", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + "\xff" + `"}`, "invalid event: not valid UTF-8"},
		{"invalid UTF-8 in an id", `{"message_id":"m-1","sender_id":"u-1` + "\xc3" + `","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: not valid UTF-8"},
		{"invalid UTF-8 in an unknown field", head + `,"extra":"` + "\xed\xa0\x80" + `"}`, "invalid event: not valid UTF-8"},
		{"plain text", secret, "invalid event: not JSON: syntax error at byte 1"},
		{"truncated", head, "invalid event: not JSON: syntax error at byte 112"},
		{"bad escape", head + `,"x":"\q"}`, "invalid event: not JSON: syntax error at byte 120"},
		{"trailing object", head + `} {}`, "invalid event: not JSON: syntax error at byte 115"},
		{"trailing garbage", head + `}` + secret, "invalid event: not JSON: syntax error at byte 114"},
		{"null", `null`, "invalid event: not a JSON object"},
		{"null with spaces", " \n null \t", "invalid event: not a JSON object"},
		{"array", `[` + head + `}]`, "invalid event: not a JSON object"},
		{"string", `"` + secret + `"`, "invalid event: not a JSON object"},
		{"number", `42`, "invalid event: not a JSON object"},

		// Wrong JSON types.
		{"message_id a number", `{"message_id":5,"sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: message_id: want string, got number"},
		{"sender_id a number", `{"message_id":"m-1","sender_id":5,"recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: want string, got number"},
		{"recipient_id an object", `{"message_id":"m-1","sender_id":"u-1","recipient_id":{"id":"u-2"},"sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: recipient_id: want string, got object"},
		{"sent_at a number", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":1795428900,"text":"` + secret + `"}`, "invalid event: sent_at: want string, got number"},
		{"text a boolean", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":true}`, "invalid event: text: want string, got bool"},
		{"text an array", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":["` + secret + `"]}`, "invalid event: text: want string, got array"},
		{"locale a number", head + `,"locale":5}`, "invalid event: locale: want string, got number"},
		{"recipient_locale a number", head + `,"recipient_locale":5}`, "invalid event: recipient_locale: want string, got number"},
		{"recipient_locale an array", head + `,"recipient_locale":["en"]}`, "invalid event: recipient_locale: want string, got array"},
		{"labels a string", head + `,"labels":"insult"}`, "invalid event: labels: want array, got string"},
		{"label a number", head + `,"labels":[1]}`, "invalid event: labels: want string, got number"},
		{"attachments an object", head + `,"attachments":{"kind":"image"}}`, "invalid event: attachments: want array, got object"},
		{"attachment a string", head + `,"attachments":["image"]}`, "invalid event: attachments: want object, got string"},
		{"attachment kind a number", head + `,"attachments":[{"kind":1}]}`, "invalid event: attachments.kind: want string, got number"},
		{"attachment labels a string", head + `,"attachments":[{"kind":"image","labels":"nudity"}]}`, "invalid event: attachments.labels: want array, got string"},

		// Required fields.
		{"message_id absent", `{"sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: message_id: missing"},
		{"message_id empty", `{"message_id":"","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: message_id: missing"},
		{"sender_id absent", `{"message_id":"m-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: missing"},
		{"sender_id null", `{"message_id":"m-1","sender_id":null,"recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: missing"},
		{"recipient_id empty", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: recipient_id: missing"},
		{"sent_at absent", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","text":"` + secret + `"}`, "invalid event: sent_at: missing"},
		{"sent_at null", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":null,"text":"` + secret + `"}`, "invalid event: sent_at: missing"},
		{"sent_at empty", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"","text":"` + secret + `"}`, "invalid event: sent_at: missing"},
		{"empty object", `{}`, "invalid event: message_id: missing"},

		// Ids.
		{"message_id of 129 bytes", `{"message_id":"` + long(129) + `","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: message_id: longer than 128 bytes"},
		{"sender_id of 129 bytes", `{"message_id":"m-1","sender_id":"` + long(129) + `","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: longer than 128 bytes"},
		{"recipient_id of 129 bytes in 2-byte runes", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"` + strings.Repeat("é", 64) + `x","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: recipient_id: longer than 128 bytes"},
		{"sender_id with a newline", `{"message_id":"m-1","sender_id":"u-1\n","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: contains a control or replacement character"},
		{"sender_id with NUL", `{"message_id":"m-1","sender_id":"u-1\u0000","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: contains a control or replacement character"},
		{"recipient_id with DEL", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2` + "\x7f" + `","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: recipient_id: contains a control or replacement character"},
		{"message_id with a C1 control", `{"message_id":"m-1\u0085","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: message_id: contains a control or replacement character"},
		{"sender_id with a lone surrogate escape", `{"message_id":"m-1","sender_id":"u-1\ud800","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: sender_id: contains a control or replacement character"},
		{"sender is recipient", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-1","sent_at":"2026-11-23T10:15:00Z","text":"` + secret + `"}`, "invalid event: recipient_id: same as sender_id"},

		// sent_at.
		{"sent_at not a time", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"` + secret + `","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at without time zone", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at a date", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at with a space", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23 10:15:00Z","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at with a one-digit hour", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T1:15:00Z","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at with a comma before the fraction", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00,5Z","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at with a 24-hour offset", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00+24:00","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at on February 30", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-02-30T10:15:00Z","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at at hour 24", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T24:00:00Z","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at as Unix seconds in a string", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"1795428900","text":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at 20 minutes ahead", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T12:20:00Z","text":"` + secret + `"}`, "invalid event: sent_at: 20 minutes ahead of the processor's clock"},
		{"sent_at 15 minutes and 1 ns ahead", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T12:15:00.000000001Z","text":"` + secret + `"}`, "invalid event: sent_at: 16 minutes ahead of the processor's clock"},
		{"sent_at ahead through its offset", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T12:00:00-01:00","text":"` + secret + `"}`, "invalid event: sent_at: 60 minutes ahead of the processor's clock"},
		{"sent_at in the year 1", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"0001-01-01T00:00:00Z","text":"` + secret + `"}`, "invalid event: sent_at: before 2000-01-01T00:00:00Z"},
		{"sent_at the Unix epoch", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"1970-01-01T00:00:00Z","text":"` + secret + `"}`, "invalid event: sent_at: before 2000-01-01T00:00:00Z"},
		{"sent_at before 2000 in UTC only", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2000-01-01T00:30:00+01:00","text":"` + secret + `"}`, "invalid event: sent_at: before 2000-01-01T00:00:00Z"},

		// Optional fields.
		{"conversation_id of 129 bytes", head + `,"conversation_id":"` + long(129) + `"}`, "invalid event: conversation_id: longer than 128 bytes"},
		{"conversation_id with a tab", head + `,"conversation_id":"c\t9"}`, "invalid event: conversation_id: contains a control or replacement character"},
		{"locale of 36 bytes", head + `,"locale":"` + long(36) + `"}`, "invalid event: locale: longer than 35 bytes"},
		{"recipient_locale of 36 bytes", head + `,"locale":"fr","recipient_locale":"` + long(36) + `"}`, "invalid event: recipient_locale: longer than 35 bytes"},
		{"recipient_locale with a newline", head + `,"recipient_locale":"en\n"}`, "invalid event: recipient_locale: contains a control or replacement character"},
		{"33 labels", head + `,"labels":` + labels(33) + `}`, "invalid event: labels: more than 32"},
		{"label of 65 bytes", head + `,"labels":["insult","` + long(65) + `"]}`, "invalid event: labels[1]: longer than 64 bytes"},
		{"33 attachments", head + `,"attachments":` + attachments(33) + `}`, "invalid event: attachments: more than 32"},
		{"attachment without kind", head + `,"attachments":[{"kind":"image"},{"labels":["nudity"]}]}`, "invalid event: attachments[1].kind: missing"},
		{"attachment null", head + `,"attachments":[null]}`, "invalid event: attachments[0].kind: missing"},
		{"attachment kind of 65 bytes", head + `,"attachments":[{"kind":"` + long(65) + `"}]}`, "invalid event: attachments[0].kind: longer than 64 bytes"},
		{"attachment with 33 labels", head + `,"attachments":[{"kind":"image","labels":` + labels(33) + `}]}`, "invalid event: attachments[0].labels: more than 32"},
		{"attachment label of 65 bytes", head + `,"attachments":[{"kind":"image","labels":["` + long(65) + `"]}]}`, "invalid event: attachments[0].labels[0]: longer than 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.DecodeMessageSent([]byte(tt.value), now)
			assertInvalid(t, err, tt.want)
			if !reflect.DeepEqual(got, topics.MessageSent{}) {
				t.Errorf("returned %+v with the error, want the zero value", got)
			}
		})
	}
}

func TestDecodeReplyRejects(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"empty value", ``, "invalid event: empty value"},
		{"not JSON", secret, "invalid event: not JSON: syntax error at byte 1"},
		{"array", `[]`, "invalid event: not a JSON object"},
		{"invalid UTF-8", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z","x":"` + secret + "\x80" + `"}`, "invalid event: not valid UTF-8"},
		{"message_id absent", `{"sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z","x":"` + secret + `"}`, "invalid event: message_id: missing"},
		{"sender_id a number", `{"message_id":"m-7","sender_id":2,"recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z","x":"` + secret + `"}`, "invalid event: sender_id: want string, got number"},
		{"recipient_id of 129 bytes", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"` + strings.Repeat("u", 129) + `","sent_at":"2026-11-23T11:00:00Z","x":"` + secret + `"}`, "invalid event: recipient_id: longer than 128 bytes"},
		{"sent_at absent", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","x":"` + secret + `"}`, "invalid event: sent_at: missing"},
		{"sent_at without time zone", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00","x":"` + secret + `"}`, "invalid event: sent_at: not an RFC 3339 time with a time zone"},
		{"sent_at 20 minutes ahead", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T12:20:00Z","x":"` + secret + `"}`, "invalid event: sent_at: 20 minutes ahead of the processor's clock"},
		{"sent_at before 2000", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"1999-12-31T23:59:59Z","x":"` + secret + `"}`, "invalid event: sent_at: before 2000-01-01T00:00:00Z"},
		{"sender is recipient", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-2","sent_at":"2026-11-23T11:00:00Z","x":"` + secret + `"}`, "invalid event: recipient_id: same as sender_id"},
		{"in_reply_to a number", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z","in_reply_to":1,"x":"` + secret + `"}`, "invalid event: in_reply_to: want string, got number"},
		{"in_reply_to of 129 bytes", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z","in_reply_to":"` + strings.Repeat("m", 129) + `","x":"` + secret + `"}`, "invalid event: in_reply_to: longer than 128 bytes"},
		{"trailing data", `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z"}` + secret, "invalid event: not JSON: syntax error at byte 93"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.DecodeReply([]byte(tt.value), now)
			assertInvalid(t, err, tt.want)
			if got != (topics.Reply{}) {
				t.Errorf("returned %+v with the error, want the zero value", got)
			}
		})
	}
}

func assertInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if !errors.Is(err, topics.ErrInvalidEvent) {
		t.Fatalf("error = %v, want one wrapping ErrInvalidEvent", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q repeats the message's content", err)
	}
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestDecodeMessageSentAccepts(t *testing.T) {
	id128 := strings.Repeat("i", 128)
	labels32 := make([]string, 32)
	for i := range labels32 {
		labels32[i] = strings.Repeat("l", 64)
	}
	tests := []struct {
		name  string
		value string
		want  topics.MessageSent
	}{
		{
			name:  "minimal",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z")},
		},
		{
			name:  "fractional seconds",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00.123456789Z"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00.123456789Z")},
		},
		{
			name:  "offset normalised to UTC",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T11:15:00.5+01:00"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00.5Z")},
		},
		{
			name:  "negative offset across midnight",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-22T23:30:00-10:30"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:00:00Z")},
		},
		{
			name:  "exactly 15 minutes ahead",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T12:15:00Z"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T12:15:00Z")},
		},
		{
			name:  "exactly 2000-01-01",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2000-01-01T01:00:00+01:00"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2000-01-01T00:00:00Z")},
		},
		{
			name:  "ids of exactly 128 bytes",
			value: `{"message_id":"` + id128 + `","sender_id":"` + id128[1:] + `1","recipient_id":"` + id128[1:] + `2","sent_at":"2026-11-23T10:15:00Z","conversation_id":"` + id128 + `"}`,
			want:  topics.MessageSent{MessageID: id128, SenderID: id128[1:] + "1", RecipientID: id128[1:] + "2", SentAt: at("2026-11-23T10:15:00Z"), ConversationID: id128},
		},
		{
			name:  "non-ASCII ids",
			value: `{"message_id":"m-é","sender_id":"üser-1","recipient_id":"用户-2","sent_at":"2026-11-23T10:15:00Z"}`,
			want:  topics.MessageSent{MessageID: "m-é", SenderID: "üser-1", RecipientID: "用户-2", SentAt: at("2026-11-23T10:15:00Z")},
		},
		{
			name:  "unknown fields ignored",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","platform":{"app":"ios","build":[1,2]},"score":0.7,"read":null,"attachments":[{"kind":"image","size":1024}]}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), Attachments: []topics.Attachment{{Kind: "image"}}},
		},
		{
			name:  "text with newlines and escapes kept",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":"salut\n\u00e7a va ? <3 \ud83d\ude00"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), Text: "salut\nça va ? <3 😀"},
		},
		{
			name:  "limits of optional fields",
			value: head[:len(head)-len(`,"text":"`+secret+`"`)] + `,"locale":"` + strings.Repeat("x", 35) + `","labels":["` + strings.Join(labels32, `","`) + `"]}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), Locale: strings.Repeat("x", 35), Labels: labels32},
		},
		{
			name:  "sender and recipient locales",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","locale":"fr","recipient_locale":"en-GB"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), Locale: "fr", RecipientLocale: "en-GB"},
		},
		{
			name:  "recipient_locale without locale",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","recipient_locale":"en"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), RecipientLocale: "en"},
		},
		{
			name:  "recipient_locale of exactly 35 bytes",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","recipient_locale":"` + strings.Repeat("x", 35) + `"}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), RecipientLocale: strings.Repeat("x", 35)},
		},
		{
			name:  "empty lists as absent",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","labels":[],"attachments":[{"kind":"image","labels":[]}]}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z"), Attachments: []topics.Attachment{{Kind: "image"}}},
		},
		{
			name:  "null optional fields",
			value: `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","text":null,"recipient_locale":null,"labels":null,"attachments":null}`,
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z")},
		},
		{
			name:  "whitespace around the object",
			value: " \r\n\t{\"message_id\":\"m-1\",\"sender_id\":\"u-1\",\"recipient_id\":\"u-2\",\"sent_at\":\"2026-11-23T10:15:00Z\"}\n",
			want:  topics.MessageSent{MessageID: "m-1", SenderID: "u-1", RecipientID: "u-2", SentAt: at("2026-11-23T10:15:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.DecodeMessageSent([]byte(tt.value), now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if got.SentAt.Location() != time.UTC {
				t.Errorf("sent_at in %v, want UTC", got.SentAt.Location())
			}
		})
	}
}

func TestDecodeMessageSentAtTheSizeLimit(t *testing.T) {
	value := head + `,"x":"` + strings.Repeat("x", topics.MaxValueBytes-len(head)-len(`,"x":""}`)) + `"}`
	if len(value) != topics.MaxValueBytes {
		t.Fatalf("test value is %d bytes", len(value))
	}
	if _, err := topics.DecodeMessageSent([]byte(value), now); err != nil {
		t.Fatal(err)
	}
	if _, err := topics.DecodeMessageSent([]byte(value+" "), now); !errors.Is(err, topics.ErrInvalidEvent) {
		t.Fatalf("one byte over: error = %v", err)
	}
}

func TestDecodeReplyAccepts(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  topics.Reply
	}{
		{
			name:  "minimal",
			value: `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z"}`,
			want:  topics.Reply{MessageID: "m-7", SenderID: "u-2", RecipientID: "u-1", SentAt: at("2026-11-23T11:00:00Z")},
		},
		{
			name:  "in reply to, offset and unknown fields",
			value: `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T12:00:00.25+01:00","in_reply_to":"m-1","text":"oui","reaction":"❤"}`,
			want:  topics.Reply{MessageID: "m-7", SenderID: "u-2", RecipientID: "u-1", SentAt: at("2026-11-23T11:00:00.25Z"), InReplyTo: "m-1"},
		},
		{
			name:  "exactly 15 minutes ahead",
			value: `{"message_id":"m-7","sender_id":"u-2","recipient_id":"u-1","sent_at":"2026-11-23T12:15:00Z"}`,
			want:  topics.Reply{MessageID: "m-7", SenderID: "u-2", RecipientID: "u-1", SentAt: at("2026-11-23T12:15:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.DecodeReply([]byte(tt.value), now)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// action is a valid MemberAction without its closing brace, for cases that add one field.
const action = `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"report","at":"2026-11-23T12:00:00Z","note":"` + secret + `"`

func TestDecodeMemberActionRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	// with is action with field set to value (a JSON text), or left out when value is "".
	with := func(field, value string) string {
		fields := []struct{ name, value string }{
			{"action_id", `"a-1"`}, {"member_id", `"u-2"`}, {"other_member_id", `"u-1"`},
			{"action", `"report"`}, {"at", `"2026-11-23T12:00:00Z"`},
		}
		var b strings.Builder
		b.WriteString(`{"note":"` + secret + `"`)
		for _, f := range fields {
			v := f.value
			if f.name == field {
				v = value
			}
			if v != "" {
				b.WriteString(`,"` + f.name + `":` + v)
			}
		}
		return b.String() + "}"
	}
	tests := []struct {
		name  string
		value string
		want  string
	}{
		// Not a JSON object.
		{"empty value", ``, "invalid event: empty value"},
		{"over 64 KiB", action + `,"x":"` + long(topics.MaxValueBytes) + `"}`, "invalid event: value over 65536 bytes"},
		{"invalid UTF-8", action + `,"x":"` + secret + "\xff" + `"}`, "invalid event: not valid UTF-8"},
		{"plain text", secret, "invalid event: not JSON: syntax error at byte 1"},
		{"truncated", action, "invalid event: not JSON: syntax error at byte 127"},
		{"trailing garbage", action + `}` + secret, "invalid event: not JSON: syntax error at byte 129"},
		{"null", `null`, "invalid event: not a JSON object"},
		{"array", `[` + action + `}]`, "invalid event: not a JSON object"},
		{"string", `"` + secret + `"`, "invalid event: not a JSON object"},

		// Wrong JSON types.
		{"action_id a number", with("action_id", `1`), "invalid event: action_id: want string, got number"},
		{"member_id an object", with("member_id", `{"id":"u-2"}`), "invalid event: member_id: want string, got object"},
		{"other_member_id an array", with("other_member_id", `["u-1"]`), "invalid event: other_member_id: want string, got array"},
		{"action a boolean", with("action", `true`), "invalid event: action: want string, got bool"},
		{"at a number", with("at", `1795435200`), "invalid event: at: want string, got number"},
		{"nudge_id a number", action + `,"nudge_id":5}`, "invalid event: nudge_id: want string, got number"},
		{"reason an array", action + `,"reason":["harassment"]}`, "invalid event: reason: want string, got array"},

		// Required fields.
		{"empty object", `{}`, "invalid event: action_id: missing"},
		{"action_id absent", with("action_id", ``), "invalid event: action_id: missing"},
		{"action_id empty", with("action_id", `""`), "invalid event: action_id: missing"},
		{"member_id absent", with("member_id", ``), "invalid event: member_id: missing"},
		{"member_id null", with("member_id", `null`), "invalid event: member_id: missing"},
		{"other_member_id empty", with("other_member_id", `""`), "invalid event: other_member_id: missing"},
		{"action absent", with("action", ``), "invalid event: action: missing"},
		{"action empty", with("action", `""`), "invalid event: action: missing"},
		{"at absent", with("at", ``), "invalid event: at: missing"},
		{"at null", with("at", `null`), "invalid event: at: missing"},
		{"at empty", with("at", `""`), "invalid event: at: missing"},

		// Ids.
		{"action_id of 129 bytes", with("action_id", `"`+long(129)+`"`), "invalid event: action_id: longer than 128 bytes"},
		{"member_id of 129 bytes", with("member_id", `"`+long(129)+`"`), "invalid event: member_id: longer than 128 bytes"},
		{"other_member_id of 129 bytes in 2-byte runes", with("other_member_id", `"`+strings.Repeat("é", 64)+`x"`), "invalid event: other_member_id: longer than 128 bytes"},
		{"member_id with a newline", with("member_id", `"u-2\n"`), "invalid event: member_id: contains a control or replacement character"},
		{"action_id with a lone surrogate escape", with("action_id", `"a-1\ud800"`), "invalid event: action_id: contains a control or replacement character"},
		{"member is other member", with("other_member_id", `"u-2"`), "invalid event: other_member_id: same as member_id"},

		// action.
		{"unknown action", with("action", `"`+secret+`"`), "invalid event: action: unknown, want one of dismiss, block, unblock, report"},
		{"action in upper case", with("action", `"REPORT"`), "invalid event: action: unknown, want one of dismiss, block, unblock, report"},
		{"action with a space", with("action", `"block "`), "invalid event: action: unknown, want one of dismiss, block, unblock, report"},
		{"action get_help", with("action", `"get_help"`), "invalid event: action: unknown, want one of dismiss, block, unblock, report"},

		// at.
		{"at not a time", with("at", `"`+secret+`"`), "invalid event: at: not an RFC 3339 time with a time zone"},
		{"at without time zone", with("at", `"2026-11-23T12:00:00"`), "invalid event: at: not an RFC 3339 time with a time zone"},
		{"at a date", with("at", `"2026-11-23"`), "invalid event: at: not an RFC 3339 time with a time zone"},
		{"at on February 30", with("at", `"2026-02-30T12:00:00Z"`), "invalid event: at: not an RFC 3339 time with a time zone"},
		{"at with a 24-hour offset", with("at", `"2026-11-23T12:00:00+24:00"`), "invalid event: at: not an RFC 3339 time with a time zone"},
		{"at 20 minutes ahead", with("at", `"2026-11-23T12:20:00Z"`), "invalid event: at: 20 minutes ahead of the processor's clock"},
		{"at 15 minutes and 1 ns ahead", with("at", `"2026-11-23T12:15:00.000000001Z"`), "invalid event: at: 16 minutes ahead of the processor's clock"},
		{"at ahead through its offset", with("at", `"2026-11-23T12:00:00-01:00"`), "invalid event: at: 60 minutes ahead of the processor's clock"},
		{"at the Unix epoch", with("at", `"1970-01-01T00:00:00Z"`), "invalid event: at: before 2000-01-01T00:00:00Z"},
		{"at before 2000 in UTC only", with("at", `"2000-01-01T00:30:00+01:00"`), "invalid event: at: before 2000-01-01T00:00:00Z"},

		// Optional fields.
		{"nudge_id of 129 bytes", action + `,"nudge_id":"` + long(129) + `"}`, "invalid event: nudge_id: longer than 128 bytes"},
		{"nudge_id with a tab", action + `,"nudge_id":"n\t1"}`, "invalid event: nudge_id: contains a control or replacement character"},
		{"reason of 65 bytes", action + `,"reason":"` + long(65) + `"}`, "invalid event: reason: longer than 64 bytes"},
		{"reason of 65 bytes in 2-byte runes", action + `,"reason":"` + strings.Repeat("é", 32) + `x"}`, "invalid event: reason: longer than 64 bytes"},
		{"reason with a newline", action + `,"reason":"harassment\n"}`, "invalid event: reason: contains a control or replacement character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.DecodeMemberAction([]byte(tt.value), now)
			assertInvalid(t, err, tt.want)
			if got != (topics.MemberAction{}) {
				t.Errorf("returned %+v with the error, want the zero value", got)
			}
		})
	}
}

func TestDecodeMemberActionAccepts(t *testing.T) {
	id128 := strings.Repeat("i", 128)
	tests := []struct {
		name  string
		value string
		want  topics.MemberAction
	}{
		{
			name:  "minimal dismiss",
			value: `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"dismiss","at":"2026-11-23T12:00:00Z"}`,
			want:  topics.MemberAction{ActionID: "a-1", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionDismiss, At: at("2026-11-23T12:00:00Z")},
		},
		{
			name:  "block",
			value: `{"action_id":"a-2","member_id":"u-2","other_member_id":"u-1","action":"block","at":"2026-11-23T12:00:00Z"}`,
			want:  topics.MemberAction{ActionID: "a-2", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionBlock, At: at("2026-11-23T12:00:00Z")},
		},
		{
			name:  "unblock",
			value: `{"action_id":"a-3","member_id":"u-2","other_member_id":"u-1","action":"unblock","at":"2026-11-23T12:00:00Z"}`,
			want:  topics.MemberAction{ActionID: "a-3", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionUnblock, At: at("2026-11-23T12:00:00Z")},
		},
		{
			name:  "report with nudge_id and reason",
			value: `{"action_id":"a-4","member_id":"u-2","other_member_id":"u-1","action":"report","at":"2026-11-23T12:00:00Z","nudge_id":"nudge-5d8a3c6e0f2b9147","reason":"harassment"}`,
			want:  topics.MemberAction{ActionID: "a-4", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionReport, At: at("2026-11-23T12:00:00Z"), NudgeID: "nudge-5d8a3c6e0f2b9147", Reason: "harassment"},
		},
		{
			name:  "offset normalised to UTC, fractional seconds",
			value: `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"dismiss","at":"2026-11-23T12:30:00.25+01:00"}`,
			want:  topics.MemberAction{ActionID: "a-1", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionDismiss, At: at("2026-11-23T11:30:00.25Z")},
		},
		{
			name:  "exactly 15 minutes ahead",
			value: `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"dismiss","at":"2026-11-23T12:15:00Z"}`,
			want:  topics.MemberAction{ActionID: "a-1", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionDismiss, At: at("2026-11-23T12:15:00Z")},
		},
		{
			name:  "exactly 2000-01-01",
			value: `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"dismiss","at":"2000-01-01T00:00:00Z"}`,
			want:  topics.MemberAction{ActionID: "a-1", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionDismiss, At: at("2000-01-01T00:00:00Z")},
		},
		{
			name:  "limits of ids, nudge_id and reason",
			value: `{"action_id":"` + id128 + `","member_id":"` + id128[1:] + `2","other_member_id":"` + id128[1:] + `1","action":"report","at":"2026-11-23T12:00:00Z","nudge_id":"` + id128 + `","reason":"` + strings.Repeat("r", 64) + `"}`,
			want:  topics.MemberAction{ActionID: id128, MemberID: id128[1:] + "2", OtherMemberID: id128[1:] + "1", Action: topics.MemberActionReport, At: at("2026-11-23T12:00:00Z"), NudgeID: id128, Reason: strings.Repeat("r", 64)},
		},
		{
			name:  "unknown and null optional fields",
			value: `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"block","at":"2026-11-23T12:00:00Z","nudge_id":null,"reason":null,"source":{"app":"ios"},"text":"laisse-moi"}`,
			want:  topics.MemberAction{ActionID: "a-1", MemberID: "u-2", OtherMemberID: "u-1", Action: topics.MemberActionBlock, At: at("2026-11-23T12:00:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.DecodeMemberAction([]byte(tt.value), now)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if got.At.Location() != time.UTC {
				t.Errorf("at in %v, want UTC", got.At.Location())
			}
		})
	}
}

func TestDecodeMemberActionAtTheSizeLimit(t *testing.T) {
	value := action + `,"x":"` + strings.Repeat("x", topics.MaxValueBytes-len(action)-len(`,"x":""}`)) + `"}`
	if len(value) != topics.MaxValueBytes {
		t.Fatalf("test value is %d bytes", len(value))
	}
	if _, err := topics.DecodeMemberAction([]byte(value), now); err != nil {
		t.Fatal(err)
	}
	if _, err := topics.DecodeMemberAction([]byte(value+" "), now); !errors.Is(err, topics.ErrInvalidEvent) {
		t.Fatalf("one byte over: error = %v", err)
	}
}
