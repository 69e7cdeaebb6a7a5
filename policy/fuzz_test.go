package policy_test

import (
	"math"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
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

		// One streak whose peaks only grow, attempts and messages apart: each level fires
		// exactly once, when the first of its two counts is reached, and the reminder only
		// before the limit.
		fired := map[string]bool{}
		high, highAtt, reminders, limits, checkIns, alerts, wantReminders := 0, 0, 0, 0, 0, 0, 0
		for i, b := range steps {
			s := policy.Streak{Status: policy.StatusCounted, StartID: "msg-1", PrevPeak: high, PrevPeakAttempts: highAtt}
			if b&0x80 != 0 { // a message that leaves the streak as it was
				s.Status = []policy.Status{policy.StatusLate, policy.StatusStale, policy.StatusDuplicate, policy.StatusAnswer}[b&3]
			} else {
				// Messages grow by 0 to 7 (several batched, or a jump past a level),
				// attempts by at most one each and never past the messages.
				grow := int(b & 7)
				high += grow
				highAtt = min(highAtt+min(grow, int(b>>3&3)), high)
				// The reminder is due when attempts reach 3 before the limit is reached.
				if s.PrevPeakAttempts < 3 && highAtt >= 3 && highAtt < 4 && high < 10 && s.PrevPeak < 10 {
					wantReminders++
				}
			}
			s.Peak, s.PeakAttempts = high, highAtt
			s.Count, s.Attempts = max(high-int(b>>5&3), 0), max(highAtt-int(b>>5&3), 0)
			d := withReminder.Decide(message(i+1), s)
			checkWellFormed(t, d)
			for _, id := range ids(d) {
				if fired[id] {
					t.Fatalf("step %d: id %s fired twice", i, id)
				}
				fired[id] = true
			}
			for _, n := range d.Nudges {
				switch n.Kind {
				case topics.KindFollowUpReminder:
					reminders++
					if limits > 0 {
						t.Fatalf("step %d: reminder after the limit", i)
					}
				case topics.KindFollowUpLimit:
					limits++
				case topics.KindCheckIn:
					checkIns++
				}
			}
			alerts += len(d.Alerts)
		}
		reached := func(attempts, messages int) int {
			if highAtt >= attempts || high >= messages {
				return 1
			}
			return 0
		}
		wantLimits := reached(4, 10)
		wantAlerts := reached(7, 20) + reached(12, 40)
		if limits != wantLimits || checkIns != wantLimits || reminders != wantReminders || alerts != wantAlerts {
			t.Errorf("peaks %d messages, %d attempts: %d limits, %d check-ins, %d reminders, %d alerts; want %d, %d, %d, %d",
				high, highAtt, limits, checkIns, reminders, alerts, wantLimits, wantLimits, wantReminders, wantAlerts)
		}
	})
}

// withReminder is the default policy with the optional reminder at 3 attempts.
var withReminder = func() *policy.Policy {
	p, err := policy.Parse([]byte("version: with-reminder\nfollow_up:\n  reminder_at: 3\n"))
	if err != nil {
		panic(err)
	}
	return p
}()

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
