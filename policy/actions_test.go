package policy_test

import (
	"slices"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

const (
	dismiss = policy.ActionDismiss
	block   = policy.ActionBlock
	unblock = policy.ActionUnblock
	report  = policy.ActionReport
	insult  = "alert medium offensive_content"
	respect = "respectful_language, check_in"
)

func offensiveFromNoah(id string, offset time.Duration) event {
	e := noah(id, offset)
	e.categories = []policy.Category{policy.CategoryInsult}
	return e
}

// TestMemberActionsTable is DESIGN.md's table of the recipient's answer (dismiss, block,
// unblock, report) under the default policy, as Ines answers Noah's streak.
func TestMemberActionsTable(t *testing.T) {
	tests := []struct {
		name   string
		events []event
		fired  []string
	}{
		{
			name: "dismiss after the check-in: no more rule-2 outputs in this streak",
			events: timeline(bubbles("m", 4, 0, time.Hour), []event{inesActs(dismiss, "a1", 3*time.Hour+time.Minute)},
				bubbles("n", 9, 4*time.Hour, time.Hour)),
			fired: []string{"m4: " + limit},
		},
		{
			name: "dismiss silences rule 2, not rule 3",
			events: timeline(bubbles("m", 2, 0, time.Hour), []event{inesActs(dismiss, "a1", 2*time.Hour)},
				bubbles("n", 3, 3*time.Hour, time.Hour), []event{offensiveFromNoah("o1", 6*time.Hour)}),
			fired: []string{"o1: " + respect + ", " + insult},
		},
		{
			name:   "dismiss before any message changes nothing",
			events: timeline([]event{inesActs(dismiss, "a1", 0)}, bubbles("m", 4, time.Hour, time.Hour)),
			fired:  []string{"m4: " + limit},
		},
		{
			name: "after a dismiss, an answer and a new streak, rule 2 speaks again",
			events: timeline(bubbles("m", 2, 0, time.Hour), []event{inesActs(dismiss, "a1", 2*time.Hour), ines(3 * time.Hour)},
				bubbles("n", 4, 4*time.Hour, time.Hour)),
			fired: []string{"n4: " + limit},
		},
		{
			name: "a late dismiss of an earlier streak does not silence the current one",
			events: timeline(bubbles("m", 2, 0, time.Hour), []event{ines(2 * time.Hour)},
				bubbles("n", 3, 3*time.Hour, time.Hour), []event{inesActs(dismiss, "a1", time.Hour+time.Minute)},
				[]event{noah("n4", 6*time.Hour)}),
			fired: []string{"n4: " + limit},
		},
		{
			name: "block ends the streak: the next message starts a new one",
			events: timeline(bubbles("m", 3, 0, time.Hour), []event{inesActs(block, "a1", 3*time.Hour)},
				bubbles("n", 4, 4*time.Hour, time.Hour)),
			fired: []string{"n4: " + limit},
		},
		{
			name: "a message sent before the block that arrives after it is not counted",
			events: timeline(bubbles("m", 3, 0, time.Hour), []event{inesActs(block, "a1", 3*time.Hour)},
				[]event{noah("late", 2*time.Hour+time.Minute)}, bubbles("n", 3, 4*time.Hour, time.Hour)),
			fired: nil,
		},
		{
			name:   "unblock changes no streak",
			events: timeline(bubbles("m", 3, 0, time.Hour), []event{inesActs(unblock, "a1", 3*time.Hour)}, []event{noah("m4", 4*time.Hour)}),
			fired:  []string{"m4: " + limit},
		},
		{
			name:   "report of a streak that was nudged and went on: high, its evidence",
			events: timeline(bubbles("m", 5, 0, time.Hour), []event{inesActs(report, "a1", 5*time.Hour)}),
			fired: []string{"m4: " + limit,
				"a1: alert high reported,unanswered_streak,continued_after_nudge evidence=m1,m2,m3,m4,m5"},
		},
		{
			name:   "report of a streak not nudged: medium",
			events: timeline(bubbles("m", 2, 0, time.Hour), []event{inesActs(report, "a1", 2*time.Hour)}),
			fired:  []string{"a1: alert medium reported evidence=m1,m2"},
		},
		{
			name:   "report of an offensive streak: high",
			events: timeline([]event{offensiveFromNoah("o1", 0)}, []event{inesActs(report, "a1", time.Hour)}),
			fired:  []string{"o1: " + respect + ", " + insult, "a1: alert high reported,offensive_content evidence=o1"},
		},
		{
			name:   "report of an answered conversation, or before any message: medium, no evidence",
			events: timeline([]event{inesActs(report, "a0", 0)}, bubbles("m", 2, time.Hour, time.Hour), []event{ines(3 * time.Hour), inesActs(report, "a1", 4*time.Hour)}),
			fired:  []string{"a0: alert medium reported evidence=", "a1: alert medium reported evidence="},
		},
		{
			name:   "a late report's evidence is the streak as it stood then",
			events: timeline(bubbles("m", 3, 0, time.Hour), []event{inesActs(report, "a1", time.Hour+time.Minute)}),
			fired:  []string{"a1: alert medium reported evidence=m1,m2"},
		},
		{
			name: "a redelivered report republishes its alert as it was; a redelivered block changes nothing",
			events: timeline(bubbles("m", 2, 0, time.Hour), []event{inesActs(report, "a1", 2*time.Hour), inesActs(block, "b1", 2*time.Hour+time.Minute)},
				bubbles("n", 2, 3*time.Hour, time.Hour), []event{inesActs(report, "a1", 2*time.Hour), inesActs(block, "b1", 2*time.Hour+time.Minute)},
				[]event{noah("n3", 5*time.Hour), noah("n4", 6*time.Hour)}),
			fired: []string{"a1: alert medium reported evidence=m1,m2", "a1: alert medium reported evidence=m1,m2", "n4: " + limit},
		},
		{
			name:   "an action older than the window is stale",
			events: timeline(bubbles("m", 3, 8*24*time.Hour, time.Hour), []event{inesActs(report, "a1", 0), inesActs(block, "b1", 0)}, []event{noah("m4", 8*24*time.Hour+3*time.Hour)}),
			fired:  []string{"m4: " + limit},
		},
	}
	pol := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fired(tt.events, decideTimeline(t, pol, tt.events)); !slices.Equal(got, tt.fired) {
				t.Errorf("fired %q\nwant  %q", got, tt.fired)
			}
		})
	}
}

// TestMemberActionIDs: a report's alert id derives from its action id, and a redelivery
// publishes the same one.
func TestMemberActionIDs(t *testing.T) {
	pol := policy.Default()
	events := timeline(bubbles("m", 2, 0, time.Hour), []event{inesActs(report, "a1", 2*time.Hour), inesActs(report, "a2", 2*time.Hour),
		noah("m3", 3*time.Hour), inesActs(report, "a1", 2*time.Hour)})
	out := decideTimeline(t, pol, events)
	a1, a2, again := out[2].ids, out[3].ids, out[5].ids
	if len(a1) != 1 || len(a2) != 1 || a1[0] == a2[0] || !slices.Equal(a1, again) {
		t.Errorf("report ids %q, %q, redelivered %q", a1, a2, again)
	}
	if out[5].status != policy.StatusReplayed {
		t.Errorf("redelivered report: %s", out[5].status)
	}
}

// TestMemberActionNames: every MemberAction action is recorded as its own Action, and
// nothing else is one.
func TestMemberActionNames(t *testing.T) {
	seen := map[policy.Action]bool{}
	for _, name := range []string{"dismiss", "block", "unblock", "report"} {
		a, ok := policy.MemberAction(name)
		if !ok || !a.IsMemberAction() || a.String() != name || seen[a] {
			t.Errorf("%s: %s %v", name, a, ok)
		}
		seen[a] = true
	}
	if _, ok := policy.MemberAction("like"); ok {
		t.Error("an unknown action is recorded")
	}
}
