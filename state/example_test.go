package state_test

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// Alice sends Bob four messages, Bob answers, Alice writes again; then the fourth
// message is delivered a second time. (miniredis stands in for Redis here.)
func ExampleRedis_Apply() {
	mr, err := miniredis.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	ctx := context.Background()
	store, err := state.New(ctx, rdb, policy.Default(), state.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}

	sent := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	message := func(id string, h time.Duration) policy.Observation {
		return policy.Observation{Action: policy.ActionMessage, MessageID: id,
			SenderID: "alice", RecipientID: "bob", SentAt: sent.Add(h * time.Hour)}
	}
	obs := []policy.Observation{
		message("m1", 0), message("m2", 1), message("m3", 2), message("m4", 3),
		{Action: policy.ActionReply, MessageID: "r1", SenderID: "bob", RecipientID: "alice", SentAt: sent.Add(4 * time.Hour)},
		message("m5", 5),
		message("m4", 3),
	}
	results, err := store.Apply(ctx, obs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range results {
		s := r.Streak
		fmt.Printf("%s %-8s count=%d peak %d→%d start=%s nudged=%t\n",
			obs[i].MessageID, s.Status, s.Count, s.PrevPeak, s.Peak, s.StartID, !s.NudgedAt.IsZero())
	}
	// Output:
	// m1 counted  count=1 peak 0→1 start=m1 nudged=false
	// m2 counted  count=2 peak 1→2 start=m1 nudged=false
	// m3 counted  count=3 peak 2→3 start=m1 nudged=false
	// m4 counted  count=4 peak 3→4 start=m1 nudged=true
	// r1 answer   count=0 peak 0→0 start= nudged=false
	// m5 counted  count=1 peak 0→1 start=m5 nudged=false
	// m4 replayed count=4 peak 3→4 start=m1 nudged=true
}
