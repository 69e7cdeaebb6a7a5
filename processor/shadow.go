package processor

import (
	"fmt"
	"slices"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// A shadow policy is a candidate decided on every event beside the live policy, from the
// same store results, by the same code (policy.DecideResult): its nudges and alerts are
// counted (relance_shadow_nudges_total, relance_shadow_alerts_total) and never published.
// It is how a threshold change is sized on live traffic before it is rolled out.
//
// The store computes each result once, under the live policy, so the candidate must share
// what the streaks themselves are made of: the window and the burst (checkShadow). Given
// those, a streak's counts, peaks before and after, offensive messages, evidence and answers
// do not depend on the thresholds, and the candidate's levels cross exactly where they
// would under the candidate alone. What the store keeps for the live policy's own levels is
// where the shadow is an approximation (README, "Shadow policy"):
//
//   - a report's alert takes its severity and its unanswered_streak and
//     continued_after_nudge reasons from Streak.NudgedAt, the time the streak reached the
//     live policy's nudge;
//   - sender-level alerts are the live crossings: the store keeps one sender record, where
//     pestered counts the members whose streak reached the live nudge, at the live levels.
//     The shadow counts those the candidate also has, with the candidate's severity;
//   - a redelivered message replays the view the store kept on its first pass, which it
//     keeps when a live level fired (or the message was offensive): a candidate level that
//     fired on a message where no live one did is not counted again on its redelivery.
type shadow struct {
	policy *policy.Policy
	// levels are the candidate's sender levels by policy.SenderKinds.
	levels [3][]int
}

// newShadow checks that candidate can be decided on the streaks the store keeps for live.
// Errors name the policy file's field and both values.
func newShadow(live, candidate *policy.Policy) (*shadow, error) {
	switch {
	case candidate.Window() != live.Window():
		return nil, fmt.Errorf("shadow policy %s: window %s differs from the live policy's %s: the store keeps the streaks of one window; a shadow policy needs the same",
			candidate.Version(), days(candidate.Window()), days(live.Window()))
	case candidate.Burst() != live.Burst():
		return nil, fmt.Errorf("shadow policy %s: follow_up.burst %s differs from the live policy's %s: the store counts the attempts of one burst; a shadow policy needs the same",
			candidate.Version(), candidate.Burst(), live.Burst())
	case candidate.Version() == live.Version():
		return nil, fmt.Errorf("shadow policy: version %s is the live policy's: give the candidate a version of its own, so that its series can be told apart", candidate.Version())
	}
	return &shadow{policy: candidate, levels: candidate.SenderLevels()}, nil
}

// decide counts, in t, what the candidate decides for one event given its store result.
func (s *shadow) decide(in policy.Input, r policy.Result, t *tally) {
	r.Senders = s.senders(r.Senders)
	d := s.policy.DecideResult(in, r)
	for _, n := range d.Nudges {
		t.nudges[n.Kind]++
	}
	for _, a := range d.Alerts {
		t.alerts[a.Severity]++
	}
}

// senders keeps the crossings of the levels the candidate has: the others have no
// severity under it. It copies only when it drops one.
func (s *shadow) senders(crossings []policy.SenderCrossing) []policy.SenderCrossing {
	has := func(c policy.SenderCrossing) bool { return slices.Contains(s.levels[c.Kind], c.Level) }
	for i, c := range crossings {
		if !has(c) {
			kept := slices.Clone(crossings[:i])
			for _, c := range crossings[i+1:] {
				if has(c) {
					kept = append(kept, c)
				}
			}
			return kept
		}
	}
	return crossings
}

// days writes a window of whole days as a policy file may ("7d"), else as Go does.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// shadowKinds and shadowSeverities are the label values whose series are created at zero
// for the candidate's version, so that a comparison works before its first decision.
var (
	shadowKinds      = []string{topics.KindFollowUpReminder, topics.KindFollowUpLimit, topics.KindRespectfulLanguage, topics.KindCheckIn}
	shadowSeverities = []string{topics.SeverityLow, topics.SeverityMedium, topics.SeverityHigh}
)
