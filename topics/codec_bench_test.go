package topics_test

import (
	"testing"
	"time"

	"github.com/relance/relance/topics"
)

var (
	benchNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	benchMessageSent = []byte(`{"message_id":"m-1-123456","sender_id":"u-48213","recipient_id":"u-9177",` +
		`"sent_at":"2026-11-23T10:15:00.123Z","conversation_id":"c-9177-48213","text":"salut, tu es dispo ce soir ?",` +
		`"locale":"fr"}`)
	benchMessageSentLabelled = []byte(`{"message_id":"m-1-123457","sender_id":"u-48213","recipient_id":"u-9177",` +
		`"sent_at":"2026-11-23T10:15:00.123Z","conversation_id":"c-9177-48213","text":"…","locale":"fr",` +
		`"labels":["insult"],"attachments":[{"kind":"image","labels":["nudity"]}]}`)
	benchReply = []byte(`{"message_id":"r-1-123458","sender_id":"u-9177","recipient_id":"u-48213",` +
		`"sent_at":"2026-11-23T10:16:00Z","in_reply_to":"m-1-123456"}`)
)

func BenchmarkDecodeMessageSent(b *testing.B) {
	for _, bc := range []struct {
		name  string
		value []byte
	}{
		{"plain", benchMessageSent},
		{"labelled", benchMessageSentLabelled},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.value)))
			for b.Loop() {
				if _, err := topics.DecodeMessageSent(bc.value, benchNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeReply(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchReply)))
	for b.Loop() {
		if _, err := topics.DecodeReply(benchReply, benchNow); err != nil {
			b.Fatal(err)
		}
	}
}
