package processor

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics"
)

func mustParse(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShadowNeedsTheLiveWindowAndBurst(t *testing.T) {
	live := policy.Default()
	tests := []struct {
		name      string
		candidate string
		wantErr   []string // each in the error; none: accepted
	}{
		{name: "other thresholds", candidate: "version: c-1\nfollow_up:\n  nudge_at: 3\n"},
		{name: "another window", candidate: "version: c-1\nwindow: 3d\n", wantErr: []string{"window 3d differs from the live policy's 7d", "c-1"}},
		{name: "another burst", candidate: "version: c-1\nfollow_up:\n  burst: 2m\n", wantErr: []string{"follow_up.burst", "2m0s", "5m0s"}},
		{name: "the live policy's version", candidate: "version: " + live.Version() + "\nfollow_up:\n  nudge_at: 3\n", wantErr: []string{"version", live.Version()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newShadow(live, mustParse(t, tt.candidate))
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to say %q", err, want)
				}
			}
		})
	}
}

// The candidate decided on the live policy's results counts what it would have published
// running alone, event for event, on a workload of first passes without reports: other
// thresholds, a reminder, other alert levels and severities, other content severities and
// no pestered levels, but the same window, burst and blocked_by level.
func TestShadowCountsWhatTheCandidateWouldPublish(t *testing.T) {
	live := policy.Default()
	candidate := mustParse(t, `version: candidate-1
follow_up:
  reminder_at: 2
  nudge_at: 3
  nudge_at_messages: 6
  alerts:
    - {at: 5, messages: 12, severity: low}
    - {at: 9, severity: high}
content:
  insult: low
  sexual_unanswered: medium
repeat_offenders:
  pestered: []
`)
	s, err := newShadow(live, candidate)
	if err != nil {
		t.Fatal(err)
	}
	obs, ins := workload(2000)
	liveResults := applyAll(t, live, obs)
	aloneResults := applyAll(t, candidate, obs)

	shadowed, alone := newTally(), newTally()
	for i, in := range ins {
		s.decide(in, liveResults[i], &shadowed)
		d := candidate.DecideResult(in, aloneResults[i])
		for _, n := range d.Nudges {
			alone.nudges[n.Kind]++
		}
		for _, a := range d.Alerts {
			alone.alerts[a.Severity]++
		}
		// Event for event, with the same ids.
		if got, want := decisionIDs(candidate.DecideResult(in, withSenders(liveResults[i], s.senders(liveResults[i].Senders)))), decisionIDs(d); got != want {
			t.Fatalf("event %d (%s %s→%s): shadow decided %s, the candidate alone %s", i, in.Observation.Action, in.Observation.SenderID, in.Observation.RecipientID, got, want)
		}
	}
	if !maps.Equal(shadowed.nudges, alone.nudges) || !maps.Equal(shadowed.alerts, alone.alerts) {
		t.Errorf("shadow counted nudges %v alerts %v, the candidate alone published %v and %v", shadowed.nudges, shadowed.alerts, alone.nudges, alone.alerts)
	}
	// The workload must exercise what differs between the policies.
	for _, k := range []string{topics.KindFollowUpReminder, topics.KindFollowUpLimit, topics.KindRespectfulLanguage, topics.KindCheckIn} {
		if shadowed.nudges[k] == 0 {
			t.Errorf("the workload gives no %s nudge under the candidate", k)
		}
	}
	for _, sev := range []string{topics.SeverityLow, topics.SeverityMedium, topics.SeverityHigh} {
		if shadowed.alerts[sev] == 0 {
			t.Errorf("the workload gives no %s alert under the candidate", sev)
		}
	}
	liveTally := newTally()
	for i, in := range ins {
		d := live.DecideResult(in, liveResults[i])
		for _, n := range d.Nudges {
			liveTally.nudges[n.Kind]++
		}
	}
	if liveTally.nudges[topics.KindFollowUpLimit] >= shadowed.nudges[topics.KindFollowUpLimit] {
		t.Errorf("live %d follow_up_limit nudges, shadow %d: the candidate nudging earlier should nudge more", liveTally.nudges[topics.KindFollowUpLimit], shadowed.nudges[topics.KindFollowUpLimit])
	}
	t.Logf("live nudges %v; shadow nudges %v, alerts %v", liveTally.nudges, shadowed.nudges, shadowed.alerts)
}

// A report's alert is where the shadow is approximate (see shadow): its severity follows
// the live nudge. Three attempts then a report: the candidate alone (nudge at 3) had
// nudged, so its alert is high; the live policy (nudge at 4) had not, so the shadow's is
// medium, as documented.
func TestShadowReportSeverityFollowsTheLiveNudge(t *testing.T) {
	live := policy.Default()
	candidate := mustParse(t, "version: candidate-1\nfollow_up:\n  nudge_at: 3\n")
	s, err := newShadow(live, candidate)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var obs []policy.Observation
	for i := range 3 {
		obs = append(obs, policy.Observation{Action: policy.ActionMessage, MessageID: fmt.Sprint("m-", i), SenderID: "ana", RecipientID: "ben", SentAt: at.Add(time.Duration(i) * 10 * time.Minute)})
	}
	obs = append(obs, policy.Observation{Action: policy.ActionReport, MessageID: "a-1", SenderID: "ana", RecipientID: "ben", SentAt: at.Add(time.Hour)})
	liveResults, aloneResults := applyAll(t, live, obs), applyAll(t, candidate, obs)
	report := policy.Input{Observation: obs[3]}
	shadowed := newTally()
	s.decide(report, liveResults[3], &shadowed)
	alone := candidate.DecideResult(report, aloneResults[3])
	if len(alone.Alerts) != 1 || alone.Alerts[0].Severity != topics.SeverityHigh {
		t.Fatalf("the candidate alone alerts %+v, want one high", alone.Alerts)
	}
	if shadowed.alerts[topics.SeverityMedium] != 1 || len(shadowed.alerts) != 1 {
		t.Errorf("shadow counted alerts %v, want one medium (the live policy had not nudged)", shadowed.alerts)
	}
}

func TestShadowKeepsTheSenderLevelsTheCandidateHas(t *testing.T) {
	live := policy.Default()
	candidate := mustParse(t, "version: candidate-1\nrepeat_offenders:\n  pestered: [{at: 5, severity: medium}]\n  blocked_by: []\n")
	s, err := newShadow(live, candidate)
	if err != nil {
		t.Fatal(err)
	}
	pestered3 := policy.SenderCrossing{Kind: 0, Level: 3, Member: "a"}
	pestered5 := policy.SenderCrossing{Kind: 0, Level: 5, Member: "b"}
	blocked3 := policy.SenderCrossing{Kind: 1, Level: 3, Member: "c"}
	reported2 := policy.SenderCrossing{Kind: 2, Level: 2, Member: "d"}
	got := s.senders([]policy.SenderCrossing{pestered3, pestered5, blocked3, reported2})
	if len(got) != 2 || got[0].Member != "b" || got[1].Member != "d" {
		t.Errorf("kept %+v, want pestered at 5 and reported_by at 2", got)
	}
	all := []policy.SenderCrossing{pestered5, reported2}
	if kept := s.senders(all); &kept[0] != &all[0] {
		t.Error("copied crossings it kept all of")
	}
}

// workload is n events among a few members, deterministic: messages minutes apart (some in
// bursts, some offensive, some delivered late), replies, and dismisses, blocks and unblocks.
func workload(n int) ([]policy.Observation, []policy.Input) {
	rng := rand.New(rand.NewPCG(14, 2))
	members := []string{"ana", "ben", "cleo", "dan", "eve", "fred"}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var obs []policy.Observation
	var ins []policy.Input
	for i := range n {
		from := members[rng.IntN(2)] // ana and ben write most
		to := members[rng.IntN(len(members))]
		if to == from {
			to = members[len(members)-1-rng.IntN(2)]
		}
		at = at.Add(time.Duration(1+rng.IntN(20)) * time.Minute)
		if rng.IntN(50) == 0 {
			at = at.Add(3 * 24 * time.Hour) // streaks slide out of the window
		}
		o := policy.Observation{Action: policy.ActionMessage, MessageID: fmt.Sprint("e-", i), SenderID: from, RecipientID: to, SentAt: at}
		switch r := rng.IntN(100); {
		case r < 6:
			o.Action, o.SenderID, o.RecipientID = policy.ActionReply, to, from
		case r < 8:
			o.Action = policy.ActionDismiss
		case r < 10:
			o.Action = policy.ActionBlock
		case r < 11:
			o.Action = policy.ActionUnblock
		case r < 15:
			o.Categories = []policy.Category{[]policy.Category{policy.CategoryInsult, policy.CategorySexual, policy.CategoryHate, policy.CategoryThreat}[rng.IntN(4)]}
		case r < 18:
			o.SentAt = at.Add(-time.Duration(rng.IntN(90)) * time.Minute) // late, maybe answered
		}
		obs = append(obs, o)
		ins = append(ins, policy.Input{Observation: o, Locale: "fr"})
	}
	return obs, ins
}

// applyAll records obs in an in-memory store deciding with pol, in batches of 100.
func applyAll(t testing.TB, pol *policy.Policy, obs []policy.Observation) []policy.Result {
	t.Helper()
	store, err := state.NewMemory(pol, state.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var results []policy.Result
	for start := 0; start < len(obs); start += 100 {
		r, err := store.Apply(context.Background(), obs[start:min(start+100, len(obs))])
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r...)
	}
	return results
}

func withSenders(r policy.Result, c []policy.SenderCrossing) policy.Result {
	r.Senders = c
	return r
}

// decisionIDs lists a decision's nudges and alerts by kind or severity and id.
func decisionIDs(d policy.Decisions) string {
	var b strings.Builder
	for _, n := range d.Nudges {
		fmt.Fprintf(&b, "%s:%s ", n.Kind, n.NudgeID)
	}
	for _, a := range d.Alerts {
		fmt.Fprintf(&b, "%s:%s ", a.Severity, a.AlertID)
	}
	return "[" + strings.TrimSpace(b.String()) + "]"
}
