package policy_test

import (
	"math"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

func FuzzDecide(f *testing.F) {
	f.Add(uint8(policy.StatusCounted), 4, 3, 4, 0, 1, uint8(0b0001), int64(0), "fr", "en", []byte{1, 1, 1, 1, 2, 3, 0, 0x81, 1, 1, 1})
	f.Add(uint8(policy.StatusLate), -3, 9, 2, 5, -1, uint8(0b1111), int64(math.MinInt64), "en-GB", "", []byte{})
	f.Add(uint8(250), math.MaxInt, math.MinInt, math.MaxInt, math.MinInt, math.MaxInt, uint8(0xff), int64(math.MaxInt64), "", "de", []byte{3, 3, 3, 3, 3, 0xff})
	p := policy.Default()
	f.Fuzz(func(t *testing.T, status uint8, count, prevPeak, peak, prevOffensive, offensive int,
		categories uint8, answeredAgo int64, locale, recipientLocale string, steps []byte) {
		// Any streak at all: no panic, well-formed outputs.
		in := message(2)
		in.Locale, in.RecipientLocale = locale, recipientLocale
		in.Observation.Categories = pickCategories(categories)
		s := counted(2)
		s.Status, s.Count, s.PrevPeak, s.Peak = policy.Status(status), count, prevPeak, peak
		s.PrevOffensive, s.Offensive = prevOffensive, offensive
		s.AnsweredAt = in.Observation.SentAt.Add(-time.Duration(answeredAgo))
		checkWellFormed(t, p.Decide(in, s))

		// One streak whose peak only grows: each level fires exactly once when reached.
		fired := map[string]bool{}
		high, nudges, alerts := 0, 0, 0
		for i, b := range steps {
			s := policy.Streak{Status: policy.StatusCounted, StartID: "msg-1", PrevPeak: high}
			if b&0x80 != 0 { // a message that leaves the streak as it was
				s.Status = []policy.Status{policy.StatusLate, policy.StatusStale, policy.StatusDuplicate, policy.StatusAnswer}[b&3]
			} else {
				high += int(b & 3) // the peak may stay, grow, or jump past a level
			}
			s.Peak, s.Count = high, max(high-int(b>>4&3), 0)
			d := p.Decide(message(i+1), s)
			checkWellFormed(t, d)
			for _, id := range ids(d) {
				if fired[id] {
					t.Fatalf("step %d: id %s fired twice", i, id)
				}
				fired[id] = true
			}
			nudges += len(d.Nudges)
			alerts += len(d.Alerts)
		}
		wantNudges, wantAlerts := 0, 0
		if high >= 4 {
			wantNudges = 2
		}
		for _, level := range []int{7, 12} {
			if high >= level {
				wantAlerts++
			}
		}
		if nudges != wantNudges || alerts != wantAlerts {
			t.Errorf("peak %d: %d nudges and %d alerts, want %d and %d", high, nudges, alerts, wantNudges, wantAlerts)
		}
	})
}

func pickCategories(bits uint8) []policy.Category {
	all := []policy.Category{policy.CategoryHate, policy.CategoryInsult, policy.CategorySexual, policy.CategoryThreat, "spam"}
	var out []policy.Category
	for i, c := range all {
		if bits&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}

func checkWellFormed(t *testing.T, d policy.Decisions) {
	t.Helper()
	for _, n := range d.Nudges {
		switch {
		case n.UnansweredCount < 0:
			t.Errorf("nudge with a negative count: %+v", n)
		case !hexID.MatchString(n.NudgeID):
			t.Errorf("nudge id %q", n.NudgeID)
		case n.Title == "" || n.Body == "" || len(n.Actions) == 0 || n.MessageIDs == nil:
			t.Errorf("incomplete nudge: %+v", n)
		case n.Locale != "fr" && n.Locale != "en":
			t.Errorf("nudge locale %q", n.Locale)
		}
	}
	for _, a := range d.Alerts {
		switch {
		case a.UnansweredCount < 0:
			t.Errorf("alert with a negative count: %+v", a)
		case !hexID.MatchString(a.AlertID):
			t.Errorf("alert id %q", a.AlertID)
		case a.Severity != "low" && a.Severity != "medium" && a.Severity != "high":
			t.Errorf("alert severity %q", a.Severity)
		case len(a.Reasons) == 0 || a.MessageIDs == nil || a.ContentLabels == nil:
			t.Errorf("incomplete alert: %+v", a)
		}
	}
}
