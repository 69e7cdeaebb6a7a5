package state

import (
	"context"
	"errors"
	"strings"
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

// A sender record that cannot be decoded might name the member: Forget erases the rest,
// leaves it in place and says so.
func TestForgetReportsUnreadableSenderRecords(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	cfg := Config{KeyPrefix: "forget-unreadable"}
	s, err := New(ctx, rdb, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if _, err := s.Apply(ctx, []policy.Observation{{Action: policy.ActionMessage, MessageID: "m1", SenderID: "alice", RecipientID: "bob", SentAt: at}}); err != nil {
		t.Fatal(err)
	}
	bad := senderKey(cfg.KeyPrefix, "zed")
	if err := rdb.Set(ctx, bad, "\x09not a record", 0).Err(); err != nil {
		t.Fatal(err)
	}
	e, err := Forget(ctx, rdb, cfg, "alice")
	if !errors.Is(err, ErrUnreadableRecords) || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want it to name %q", err, bad)
	}
	if e != (Erasure{Pairs: 1, SendersExamined: 1}) {
		t.Errorf("Forget = %+v", e)
	}
	if v, err := rdb.Get(ctx, bad).Result(); err != nil || v != "\x09not a record" {
		t.Errorf("the unreadable record: %q, %v", v, err)
	}
}

// Forget's check after its scans: slots that changed masters meanwhile, or a master it did
// not scan (one added after the client read the Cluster's layout), may hide records.
func TestForgetSeesSlotsThatMovedWhileItScanned(t *testing.T) {
	before := slots{cluster: true, layout: "0-8191@a 8192-16383@b", masters: []string{"a", "b"}}
	scanned := map[string]bool{"a": true, "b": true}
	if moved := before.movedIn(before, scanned); moved != "" {
		t.Errorf("nothing moved, yet %q", moved)
	}
	moved := slots{cluster: true, layout: "0-8191@a 8192-12000@b 12001-16383@c", masters: []string{"a", "b", "c"}}
	if got := before.movedIn(moved, map[string]bool{"a": true, "b": true, "c": true}); !strings.Contains(got, "changed masters") {
		t.Errorf("slots moved to c: %q", got)
	}
	if got := moved.movedIn(moved, scanned); !strings.Contains(got, "master c was not scanned") {
		t.Errorf("c not scanned: %q", got)
	}
	migrating := before
	migrating.moving = []string{"42->-bid"}
	if got := before.movedIn(migrating, scanned); !strings.Contains(got, "42->-bid") {
		t.Errorf("slot 42 migrating once the scans were done: %q", got)
	}
	if got := (slots{}).movedIn(slots{}, nil); got != "" {
		t.Errorf("a single server: %q", got)
	}
	nodes := "07c3 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460 [42->-e7d1]\n" +
		"e7d1 127.0.0.1:30002@40002 master - 0 1 2 connected 5461-10922 [42-<-07c3]\n"
	if got := migratingSlots(nodes); len(got) != 1 || got[0] != "42->-e7d1" {
		t.Errorf("migratingSlots = %q, want only this node's [42->-e7d1]", got)
	}
}
