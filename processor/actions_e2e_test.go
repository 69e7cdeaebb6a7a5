package processor_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// Ben reports Ana after her coach's nudge: an alert at once, high, with the streak's
// evidence and the report's id; a redelivered report publishes the same id.
func TestReportRaisesAnAlertAtOnce(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	e.send(streak("m", "ana", "ben", 0, 5)...) // nudged at m-4, m-5 after it
	e.outputs()                                // another topic: wait for the messages first
	e.send(act("r-1", "ben", topics.MemberActionReport, "ana", 60))
	_, alerts, dead := e.outputs()
	if len(alerts) != 1 || len(dead) != 0 {
		t.Fatalf("%d alerts, %d dead letters; want the report's alert", len(alerts), len(dead))
	}
	a := alerts[0]
	wantReasons := []string{topics.ReasonReported, topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge}
	if a.Severity != topics.SeverityHigh || !slices.Equal(a.Reasons, wantReasons) || a.ActionID != "r-1" ||
		a.SenderID != "ana" || a.RecipientID != "ben" || len(a.MessageIDs) != 5 || a.NudgedAt == nil || a.UnansweredCount != 5 {
		t.Errorf("report alert %+v", a)
	}
	e.send(act("r-1", "ben", topics.MemberActionReport, "ana", 60))
	_, again, _ := e.outputs()
	if len(again) != 2 || again[1].AlertID != a.AlertID {
		t.Errorf("redelivered report: %d alerts, want the same id again", len(again))
	}
}

// Ben says all is fine after the check-in: the medium alert at Ana's seventh attempt never
// comes; a block ends her streak, and the next messages start a new one.
func TestDismissAndBlockActOnTheStreak(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	e.send(streak("m", "ana", "ben", 0, 4)...)
	e.outputs() // another topic: wait for the messages first
	e.send(act("d-1", "ben", topics.MemberActionDismiss, "ana", 45))
	nudges, _, _ := e.outputs() // and for the dismiss before the next messages
	if len(nudges) != 2 {
		t.Fatalf("%d nudges before the dismiss, want the pair", len(nudges))
	}
	e.send(streak("n", "ana", "ben", 50, 4)...) // attempts 5 to 8
	nudges, alerts, _ := e.outputs()
	if len(nudges) != 2 || len(alerts) != 0 {
		t.Fatalf("after the dismiss: %d nudges, %d alerts; want nothing new", len(nudges), len(alerts))
	}
	e.send(act("b-1", "ben", topics.MemberActionBlock, "ana", 100))
	e.send(streak("p", "ana", "ben", 100, 4)...) // a new streak: nudged again at its 4th
	nudges, alerts, dead := e.outputs()
	var got []string
	for _, n := range nudges[2:] {
		got = append(got, nudgeDecision(n))
	}
	if want := []string{"follow_up_limit ana p-4", "check_in ben p-4"}; !slices.Equal(got, want) || len(alerts) != 0 || len(dead) != 0 {
		t.Errorf("after the block: nudges %q, %d alerts, %d dead letters; want %q", got, len(alerts), len(dead), want)
	}
}

// A bad member action is dead-lettered with its reason and the pipeline goes on.
func TestBadMemberActionIsDeadLettered(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	e.sendRaw(e.names.MemberAction, []byte(`{"action_id":"x","member_id":"ben","other_member_id":"ben","action":"report","at":"2026-11-23T10:00:00Z"}`))
	e.sendRaw(e.names.MemberAction, []byte(`{"action_id":"y","member_id":"ben","other_member_id":"ana","action":"like","at":"2026-11-23T10:00:00Z"}`))
	e.send(act("r-1", "ben", topics.MemberActionReport, "ana", 10))
	_, alerts, dead := e.outputs()
	if len(dead) != 2 || len(alerts) != 1 {
		t.Fatalf("%d dead letters, %d alerts; want 2 and the valid report's", len(dead), len(alerts))
	}
	for i, want := range []string{"same as member_id", "action"} {
		if got := record.HeaderValue(dead[i], record.HeaderError); !strings.Contains(got, want) {
			t.Errorf("dead letter %d: error %q, want it to name %q", i, got, want)
		}
	}
}

// Ana pesters ben, cal and dee in turn: at the third, a repeated_pestering alert names the
// three of them; two reports make a reported_by_many alert.
func TestRepeatOffenderAlerts(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	for i, to := range []string{"ben", "cal", "dee"} {
		e.send(streak(to, "ana", to, 100*i, 4)...)
	}
	_, alerts, _ := e.outputs()
	if len(alerts) != 1 || alerts[0].Reasons[0] != topics.ReasonRepeatedPestering ||
		!slices.Equal(alerts[0].MemberIDs, []string{"ben", "cal", "dee"}) || alerts[0].Severity != topics.SeverityMedium {
		t.Fatalf("alerts %+v; want one repeated_pestering for ben, cal and dee", alerts)
	}
	e.send(act("r-1", "ben", topics.MemberActionReport, "ana", 400), act("r-2", "cal", topics.MemberActionReport, "ana", 401))
	_, alerts, _ = e.outputs()
	var many []topics.ModerationAlert
	for _, a := range alerts {
		if a.Reasons[0] == topics.ReasonReportedByMany {
			many = append(many, a)
		}
	}
	if len(alerts) != 4 || len(many) != 1 || many[0].Severity != topics.SeverityHigh || len(many[0].MemberIDs) != 2 {
		t.Errorf("after two reports: %d alerts (%d reported_by_many %+v); want the two reports' and one reported_by_many", len(alerts), len(many), many)
	}
}
