package policy_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

func TestDecideResultSenderAlerts(t *testing.T) {
	p := policy.Default()
	in := message(4) // the fourth attempt to a third member: pestered crosses 3
	r := policy.Result{Streak: counted(4), Senders: []policy.SenderCrossing{{
		Kind: 0, Level: 3, Member: recipient, At: in.Observation.SentAt, Members: []string{"x", "y", recipient},
	}}}
	d := p.DecideResult(in, r)
	if len(d.Nudges) != 2 || len(d.Alerts) != 1 {
		t.Fatalf("%d nudges, %d alerts; want the pair's nudges and one sender alert", len(d.Nudges), len(d.Alerts))
	}
	a := d.Alerts[0]
	if a.Severity != topics.SeverityMedium || !slices.Equal(a.Reasons, []string{topics.ReasonRepeatedPestering}) ||
		!slices.Equal(a.MemberIDs, []string{"x", "y", recipient}) || a.SenderID != sender || a.RecipientID != recipient ||
		len(a.MessageIDs) != 0 || a.ActionID != "" {
		t.Errorf("sender alert %+v", a)
	}
	if _, err := topics.EncodeAlert(a); err != nil {
		t.Errorf("sender alert breaks the schema: %v", err)
	}
	again := p.DecideResult(in, r).Alerts[0]
	other := r
	other.Senders = []policy.SenderCrossing{r.Senders[0]}
	other.Senders[0].At = in.Observation.SentAt.Add(time.Hour) // another crossing
	if again.AlertID != a.AlertID || p.DecideResult(in, other).Alerts[0].AlertID == a.AlertID {
		t.Error("a crossing's id must be the same when decided again, another crossing's differ")
	}
	// Every kind and level of the default policy: DESIGN.md's table.
	for _, tt := range []struct {
		kind, level int
		severity    string
		reason      string
	}{
		{0, 3, "medium", topics.ReasonRepeatedPestering},
		{0, 5, "high", topics.ReasonRepeatedPestering},
		{1, 3, "medium", topics.ReasonBlockedByMany},
		{2, 2, "high", topics.ReasonReportedByMany},
	} {
		r.Senders[0].Kind, r.Senders[0].Level = tt.kind, tt.level
		a := p.DecideResult(in, r).Alerts[0]
		if a.Severity != tt.severity || a.Reasons[0] != tt.reason {
			t.Errorf("%s %d: %s %v", policy.SenderKinds[tt.kind], tt.level, a.Severity, a.Reasons)
		}
	}
}

func TestParseRepeatOffenders(t *testing.T) {
	p, err := policy.Parse([]byte("repeat_offenders:\n  pestered:\n    - {at: 4, severity: high}\n  blocked_by: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.SenderLevels(); !slices.Equal(got[0], []int{4}) || len(got[1]) != 0 || !slices.Equal(got[2], []int{2}) {
		t.Errorf("SenderLevels() = %v", got)
	}
	for file, want := range map[string]string{
		"repeat_offenders:\n  pestered:\n    - {at: 0, severity: low}\n":                                   "repeat_offenders.pestered[0].at: 0 must be between 1 and 100",
		"repeat_offenders:\n  reported_by:\n    - {at: 2, severity: low}\n    - {at: 2, severity: high}\n": "repeat_offenders.reported_by[1].at: 2 must be greater than the previous level 2",
		"repeat_offenders:\n  blocked_by:\n    - {at: 3, severity: urgent}\n":                              `repeat_offenders.blocked_by[0].severity: severity "urgent"`,
		"repeat_offenders:\n  blocked_by:\n    - {at: 3, messages: 9, severity: low}\n":                    "repeat_offenders.blocked_by[0].messages: a count of members has no messages",
		"repeat_offenders:\n  spammed: []\n":                                                               "repeat_offenders.spammed: unknown field",
	} {
		if _, err := policy.Parse([]byte(file)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", file, err, want)
		}
	}
	if d := policy.Default().Describe(); !strings.Contains(d, "pestered 5 members: moderation alert, severity high (repeated_pestering)") {
		t.Errorf("Describe() lacks the sender levels:\n%s", d)
	}
}
