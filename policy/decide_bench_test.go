package policy_test

import (
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

func BenchmarkDecide(b *testing.B) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	obs := policy.Observation{
		Action: policy.ActionMessage, MessageID: "m-4", SenderID: "u-1", RecipientID: "u-2", SentAt: now,
	}
	ids := []string{"m-1", "m-2", "m-3", "m-4"}
	counted := func(prevPeak, peak int) policy.Streak {
		return policy.Streak{
			Status: policy.StatusCounted, Count: peak, PrevPeak: prevPeak, Peak: peak, StartID: "m-1",
			FirstUnansweredAt: now.Add(-time.Hour), LastMessageAt: now, MessageIDs: ids[:min(peak, len(ids))],
		}
	}
	offensive := counted(0, 1)
	offensive.Offensive = 1
	offensiveObs := obs
	offensiveObs.Categories = []policy.Category{policy.CategoryInsult}
	for _, bc := range []struct {
		name string
		in   policy.Input
		s    policy.Streak
	}{
		// The common case: a counted message below every level, nothing to publish.
		{"counted_no_decision", policy.Input{Observation: obs, Locale: "fr"}, counted(1, 2)},
		{"reply", policy.Input{Observation: policy.Observation{Action: policy.ActionReply}}, policy.Streak{Status: policy.StatusAnswer}},
		// Reaching the nudge level: two nudges.
		{"nudge_at_4", policy.Input{Observation: obs, Locale: "fr"}, counted(3, 4)},
		// Reaching the first alert level.
		{"alert_at_7", policy.Input{Observation: obs, Locale: "en"}, counted(6, 7)},
		// A first offensive message: two nudges and a content alert.
		{"offensive", policy.Input{Observation: offensiveObs, Locale: "fr"}, offensive},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := policy.Default()
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Decide(bc.in, bc.s)
			}
		})
	}
}
