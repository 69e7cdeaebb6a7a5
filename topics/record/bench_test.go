package record_test

import (
	"testing"
	"time"

	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func benchNudge() topics.CoachNudge {
	return topics.CoachNudge{
		NudgeID: "n-5f0c2e7d9a1b3c4d", UserID: "u-48213", Audience: topics.AudienceSender,
		Kind: topics.KindFollowUpLimit, OtherUserID: "u-9177", UnansweredCount: 4, WindowSeconds: 604800,
		Locale: "fr", Coach: "Lara", Title: "Un petit mot de Lara",
		Body:    "Tu as envoyé plusieurs messages sans réponse. Laisse à l'autre personne le temps de répondre — ou de ne pas répondre, c'est son choix.",
		Actions: []string{"review_rules"}, MessageIDs: []string{"m-1-1", "m-1-2", "m-1-3", "m-1-4"},
		TriggeredBy: "m-1-4", OccurredAt: now, PolicyVersion: "relance-default-1",
	}
}

func BenchmarkNudgeRecord(b *testing.B) {
	n := benchNudge()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := record.Nudge(topics.DefaultCoachNudge, n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeNudge is the JSON alone: what BenchmarkNudgeRecord adds to it is the record.
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
	first := now.Add(-time.Hour)
	a := topics.ModerationAlert{
		AlertID: "a-5f0c2e7d9a1b3c4d", Severity: topics.SeverityMedium, SenderID: "u-48213", RecipientID: "u-9177",
		Reasons:         []string{topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge},
		UnansweredCount: 7, WindowSeconds: 604800,
		MessageIDs:    []string{"m-1-1", "m-1-2", "m-1-3", "m-1-4", "m-1-5", "m-1-6", "m-1-7"},
		ContentLabels: []string{}, FirstUnansweredAt: &first, LastMessageAt: now, NudgedAt: &first,
		TriggeredBy: "m-1-7", OccurredAt: now, PolicyVersion: "relance-default-1",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := record.Alert(topics.DefaultModerationAlert, a); err != nil {
			b.Fatal(err)
		}
	}
}
