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

func benchNudge() topics.CoachNudge {
	return topics.CoachNudge{
		NudgeID: "n-5f0c2e7d9a1b3c4d", UserID: "u-48213", Audience: topics.AudienceSender,
		Kind: topics.KindFollowUpLimit, OtherUserID: "u-9177", UnansweredCount: 4, WindowSeconds: 604800,
		Locale: "fr", Coach: "Lara", Title: "Un petit mot de Lara",
		Body:    "Tu as envoyé plusieurs messages sans réponse. Laisse à l'autre personne le temps de répondre — ou de ne pas répondre, c'est son choix.",
		Actions: []string{"review_rules"}, MessageIDs: []string{"m-1-1", "m-1-2", "m-1-3", "m-1-4"},
		TriggeredBy: "m-1-4", OccurredAt: benchNow, PolicyVersion: "relance-default-1",
	}
}

func BenchmarkNudgeRecord(b *testing.B) {
	n := benchNudge()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := topics.NudgeRecord(topics.DefaultCoachNudge, n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeNudge(b *testing.B) {
	n := benchNudge()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := topics.Encode(n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAlertRecord(b *testing.B) {
	first := benchNow.Add(-time.Hour)
	a := topics.ModerationAlert{
		AlertID: "a-5f0c2e7d9a1b3c4d", Severity: topics.SeverityMedium, SenderID: "u-48213", RecipientID: "u-9177",
		Reasons:         []string{topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge},
		UnansweredCount: 7, WindowSeconds: 604800,
		MessageIDs:    []string{"m-1-1", "m-1-2", "m-1-3", "m-1-4", "m-1-5", "m-1-6", "m-1-7"},
		ContentLabels: []string{}, FirstUnansweredAt: &first, LastMessageAt: benchNow, NudgedAt: &first,
		TriggeredBy: "m-1-7", OccurredAt: benchNow, PolicyVersion: "relance-default-1",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := topics.AlertRecord(topics.DefaultModerationAlert, a); err != nil {
			b.Fatal(err)
		}
	}
}
