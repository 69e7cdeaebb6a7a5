package state

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/offender"
	"github.com/relance/relance/policy"
)

// A processor that writes a sender record between Forget's read and its write is not
// overwritten: Forget reads the record again and removes the member from what it holds.
func TestForgetInSenderRedoesAfterAConcurrentWrite(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	cfg := Config{KeyPrefix: "forget-race"}
	s, err := New(ctx, rdb, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	pester := func(to string, from time.Duration) {
		var obs []policy.Observation
		for k := range 4 {
			obs = append(obs, policy.Observation{Action: policy.ActionMessage, MessageID: to + string(rune('1'+k)),
				SenderID: "dan", RecipientID: to, SentAt: base.Add(from + time.Duration(k)*time.Hour)})
		}
		if _, err := s.Apply(ctx, obs); err != nil {
			t.Fatal(err)
		}
	}
	key := senderKey(cfg.KeyPrefix, "dan")
	pester("alice", 0)
	stale, err := rdb.Get(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	pester("bob", 5*time.Hour) // the processor writes meanwhile

	named, err := forgetInSender(ctx, rdb, key, stale, "alice")
	if err != nil || !named {
		t.Fatalf("forgetInSender = %v, %v", named, err)
	}
	v, err := rdb.Get(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	r, err := offender.Decode(v)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, e := range r.Entries(&offender.Limits{}) {
		members = append(members, e.Kind.String()+" "+e.Member)
	}
	if len(members) != 1 || members[0] != "pestered bob" {
		t.Errorf("dan's record = %q, want bob's signal kept and alice's gone", members)
	}
}
