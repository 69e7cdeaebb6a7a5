package policy_test

import (
	"fmt"
	"time"

	"github.com/relance/relance/policy"
)

// The fourth attempt (three follow-ups, five messages): the coach reminds the sender of
// the rules and checks in with the recipient.
func ExamplePolicy_Decide() {
	p := policy.Default()
	in := policy.Input{
		Observation: policy.Observation{
			Action:      policy.ActionMessage,
			MessageID:   "m-5",
			SenderID:    "u-1",
			RecipientID: "u-2",
			SentAt:      time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC),
		},
		Locale: "en",
	}
	s := policy.Streak{
		Status:           policy.StatusCounted,
		Count:            5,
		Attempts:         4,
		PrevPeak:         4,
		Peak:             5,
		PrevPeakAttempts: 3,
		PeakAttempts:     4,
		StartID:          "m-1",
		MessageIDs:       []string{"m-1", "m-2", "m-3", "m-4", "m-5"},
	}
	d := p.Decide(in, s)
	for _, n := range d.Nudges {
		fmt.Println(n.Audience, n.UserID, n.Kind, n.Actions, n.Title)
	}
	fmt.Println("alerts:", len(d.Alerts))
	// Output:
	// sender u-1 follow_up_limit [review_rules] Give them time to answer
	// recipient u-2 check_in [report block get_help] Is everything alright?
	// alerts: 0
}

func ExampleParse() {
	p, err := policy.Parse([]byte("window: 3d\nfollow_up:\n  nudge_at: 3\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Window(), p.Burst(), p.Nudge())

	_, err = policy.Parse([]byte("follow_up:\n  alerts:\n    - at: 7\n      severity: medium\n    - at: 5\n      severity: high\n"))
	fmt.Println(err)
	// Output:
	// 72h0m0s 5m0s {3 10}
	// policy: follow_up.alerts[1].at: 5 must be greater than the previous level 7 (line 5)
}
