package topics_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relance/relance/topics"
)

// seedGoldens adds the golden inputs and a few broken values to the corpus.
func seedGoldens(f *testing.F) {
	files, err := filepath.Glob(goldenPath("*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if typ := eventType(name); typ != topics.TypeMessageSent && typ != topics.TypeReply && typ != topics.TypeMemberAction {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"sender_id":5}`,
		`{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-1","sent_at":"2026-11-23T10:15:00Z"}`,
		`{"message_id":"m-1","sender_id":"u\ud800","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00+01:00","labels":[""],"attachments":[{"kind":"image","labels":[]}]}`,
		`{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00.000000001-23:59","text":"\u2028"}`,
		`{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","locale":"fr","recipient_locale":"en\ud800","RECIPIENT_LOCALE":5}`,
		`{"action_id":"a-1","member_id":"u-2","other_member_id":"u-2","action":"block","at":"2026-11-23T12:00:00Z"}`,
		`{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"Report","AT":"2026-11-23T12:00:00+01:00","reason":"\u2028"}`,
	} {
		f.Add([]byte(s))
	}
}

func FuzzDecodeMessageSent(f *testing.F) {
	seedGoldens(f)
	schemas := compileSchemas(f)
	f.Fuzz(func(t *testing.T, value []byte) {
		m, err := topics.DecodeMessageSent(value, now)
		if err != nil {
			checkRejected(t, err)
			return
		}
		checkEnvelope(t, m.MessageID, m.SenderID, m.RecipientID, m.SentAt)
		b, err := topics.Encode(m)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if err := validate(schemas, topics.TypeMessageSent, b); err != nil {
			t.Fatalf("re-encoded %s breaks the schema: %v", b, err)
		}
		if len(b) > topics.MaxValueBytes {
			return // Encode escapes U+2028 and U+2029, so it can grow past the limit.
		}
		again, err := topics.DecodeMessageSent(b, now)
		if err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip changed the event\nfirst:  %+v\nsecond: %+v", m, again)
		}
	})
}

func FuzzDecodeReply(f *testing.F) {
	seedGoldens(f)
	schemas := compileSchemas(f)
	f.Fuzz(func(t *testing.T, value []byte) {
		r, err := topics.DecodeReply(value, now)
		if err != nil {
			checkRejected(t, err)
			return
		}
		checkEnvelope(t, r.MessageID, r.SenderID, r.RecipientID, r.SentAt)
		b, err := topics.Encode(r)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if err := validate(schemas, topics.TypeReply, b); err != nil {
			t.Fatalf("re-encoded %s breaks the schema: %v", b, err)
		}
		again, err := topics.DecodeReply(b, now)
		if err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
		if again != r {
			t.Fatalf("round trip changed the event\nfirst:  %+v\nsecond: %+v", r, again)
		}
	})
}

func FuzzDecodeMemberAction(f *testing.F) {
	seedGoldens(f)
	schemas := compileSchemas(f)
	f.Fuzz(func(t *testing.T, value []byte) {
		a, err := topics.DecodeMemberAction(value, now)
		if err != nil {
			checkRejected(t, err)
			return
		}
		checkEnvelope(t, a.ActionID, a.MemberID, a.OtherMemberID, a.At)
		if !slices.Contains([]string{topics.MemberActionDismiss, topics.MemberActionBlock, topics.MemberActionUnblock, topics.MemberActionReport}, a.Action) {
			t.Fatalf("accepted action %q", a.Action)
		}
		b, err := topics.Encode(a)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if err := validate(schemas, topics.TypeMemberAction, b); err != nil {
			t.Fatalf("re-encoded %s breaks the schema: %v", b, err)
		}
		if len(b) > topics.MaxValueBytes {
			return // Encode escapes U+2028 and U+2029, so it can grow past the limit.
		}
		again, err := topics.DecodeMemberAction(b, now)
		if err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
		if again != a {
			t.Fatalf("round trip changed the event\nfirst:  %+v\nsecond: %+v", a, again)
		}
	})
}

// checkRejected holds a rejection to what a dead-letter header needs: ErrInvalidEvent,
// short, valid UTF-8.
func checkRejected(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, topics.ErrInvalidEvent) {
		t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
	}
	if msg := err.Error(); len(msg) > 120 || !utf8.ValidString(msg) {
		t.Fatalf("error %q: want short valid UTF-8", msg)
	}
}

func checkEnvelope(t *testing.T, messageID, senderID, recipientID string, sentAt time.Time) {
	t.Helper()
	for _, id := range []string{messageID, senderID, recipientID} {
		if id == "" || len(id) > topics.MaxIDBytes {
			t.Fatalf("accepted id %q: want 1 to %d bytes", id, topics.MaxIDBytes)
		}
	}
	if senderID == recipientID {
		t.Fatalf("accepted sender_id == recipient_id %q", senderID)
	}
	if sentAt.Location() != time.UTC || sentAt.Year() < topics.MinSentAtYear || sentAt.Sub(now) > topics.MaxClockSkew {
		t.Fatalf("accepted sent_at %v", sentAt)
	}
}
