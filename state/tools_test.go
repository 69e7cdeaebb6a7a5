package state_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/offender"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
	"github.com/relance/relance/streak"
	"github.com/relance/relance/topics"
)

// toolsWorkload is alice's history under the default policy (nudge at 4 attempts, burst
// 5 minutes), with members whose ids contain hers or each other's:
//   - bob wrote to alice first (b0), and her m1 answered him; her m1..m5 to bob are four
//     attempts (m2 is a quick bubble of m1's), the nudge fired at m5, then bob reported her;
//   - carol blocked alice; aaron (who sorts before her) and ali wrote to her; she wrote to
//     malice;
//   - dan pestered alice and bob: his sender record names her;
//   - ali and malice (ids within and around hers) wrote to bob, and erin pestered ali.
func toolsWorkload() []policy.Observation {
	obs := []policy.Observation{
		msg("b0", "bob", "alice", -hour),
		msg("m1", "alice", "bob", 0),
		msg("m2", "alice", "bob", time.Minute),
		msg("m3", "alice", "bob", hour),
		msg("m4", "alice", "bob", 2*hour),
		msg("m5", "alice", "bob", 3*hour),
		action(policy.ActionReport, "r1", "bob", "alice", 4*hour),
		msg("c1", "alice", "carol", 5*hour),
		action(policy.ActionBlock, "k1", "carol", "alice", 6*hour),
		msg("a1", "aaron", "alice", 6*hour),
		msg("l1", "ali", "alice", 6*hour),
		msg("z1", "alice", "malice", 6*hour),
		msg("x1", "ali", "bob", 6*hour),
		msg("y1", "malice", "bob", 6*hour),
	}
	for i, to := range []string{"alice", "bob"} {
		for k := range 4 {
			obs = append(obs, msg(to+"-d"+string(rune('1'+k)), "dan", to, time.Duration(7+4*i+k)*hour))
		}
	}
	for k := range 4 {
		obs = append(obs, msg("e"+string(rune('1'+k)), "erin", "ali", time.Duration(20+k)*hour))
	}
	return obs
}

// seed records toolsWorkload through the store, as the processor would, under a prefix of
// the test's own, and returns the store's configuration.
func seed(t *testing.T, rdb redis.UniversalClient) state.Config {
	t.Helper()
	cfg := state.Config{KeyPrefix: uniquePrefix(t)}
	s, err := state.New(context.Background(), rdb, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, toolsWorkload()...)
	return cfg
}

func TestInspect(t *testing.T) {
	t.Run("redis", func(t *testing.T) { testInspect(t, startRedis(t)) })
	t.Run("cluster", func(t *testing.T) { testInspect(t, startCluster(t)) })
}

func testInspect(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	cfg := seed(t, rdb)
	pol := policy.Default()
	for _, order := range [][2]string{{"alice", "bob"}, {"bob", "alice"}} {
		in, err := state.Inspect(ctx, rdb, pol, cfg, order[0], order[1])
		if err != nil {
			t.Fatal(err)
		}
		if in.Pair == nil {
			t.Fatalf("%v: no pair record", order)
		}
		ab, ba := in.Pair.AB, in.Pair.BA
		if order[0] == "bob" {
			ab, ba = ba, ab
		}
		if ab.From != "alice" || ab.To != "bob" || ba.From != "bob" || ba.To != "alice" {
			t.Fatalf("%v: directions %s→%s and %s→%s", order, ab.From, ab.To, ba.From, ba.To)
		}
		wantUnanswered := []streak.Unanswered{
			{ID: "m1", SentAt: at(0), Attempt: 1}, {ID: "m2", SentAt: at(time.Minute), Attempt: 1},
			{ID: "m3", SentAt: at(hour), Attempt: 2}, {ID: "m4", SentAt: at(2 * hour), Attempt: 3},
			{ID: "m5", SentAt: at(3 * hour), Attempt: 4},
		}
		if !slices.Equal(ab.Unanswered, wantUnanswered) {
			t.Errorf("alice→bob unanswered = %+v, want %+v", ab.Unanswered, wantUnanswered)
		}
		if !ab.Nudged.Equal(at(3*hour)) || ab.Outcome != policy.OutcomeReported || ab.StartID != "m1" ||
			ab.PeakAttempts != 4 || ab.Peak != 5 || !ab.Blocked.IsZero() || !ab.Dismissed.IsZero() {
			t.Errorf("alice→bob = %+v", ab.Direction)
		}
		// What it keeps for redelivery, and what the policy decides for each: the nudge
		// and check-in at m5, the report's alert (high: the streak was nudged).
		var kept []string
		for i, k := range ab.Kept {
			kept = append(kept, k.ID)
			for _, n := range ab.Fired[i].Nudges {
				kept = append(kept, n.Audience+":"+n.Kind)
			}
			for _, a := range ab.Fired[i].Alerts {
				kept = append(kept, a.Severity+":"+a.Reasons[0])
			}
		}
		want := []string{"m5", "sender:" + topics.KindFollowUpLimit, "recipient:" + topics.KindCheckIn, "r1", "high:" + topics.ReasonReported}
		if !slices.Equal(kept, want) {
			t.Errorf("alice→bob kept and fired = %q, want %q", kept, want)
		}
		if !ab.Kept[1].Action || ab.Kept[0].Action || !ab.Kept[1].SentAt.Equal(at(4*hour)) {
			t.Errorf("alice→bob kept = %+v", ab.Kept)
		}
		// Every message of alice's answers bob's b0: the latest is m5.
		if len(ba.Unanswered) != 0 || !ba.Answered.Equal(at(3*hour)) || !ba.Nudged.IsZero() || ba.Seen != 1 {
			t.Errorf("bob→alice = %+v", ba.Direction)
		}
		if in.Pair.TTL <= pol.Window() || in.Pair.TTL > pol.Window()+24*hour {
			t.Errorf("pair TTL = %s, want the window plus the margin", in.Pair.TTL)
		}

		alice, bob := in.Senders[0], in.Senders[1]
		if order[0] == "bob" {
			alice, bob = bob, alice
		}
		if bob != nil {
			t.Errorf("bob has a sender record: %+v", bob)
		}
		if alice == nil {
			t.Fatal("alice has no sender record")
		}
		var entries []string
		for _, e := range alice.Entries {
			entries = append(entries, e.Kind.String()+" "+e.Member+" "+e.At.Sub(base).String())
		}
		wantEntries := []string{"pestered bob 3h0m0s", "blocked_by carol 6h0m0s", "reported_by bob 4h0m0s"}
		if !slices.Equal(entries, wantEntries) {
			t.Errorf("alice's sender record = %q, want %q", entries, wantEntries)
		}
	}

	// dan's sender record counts the two members he pestered.
	in, err := state.Inspect(ctx, rdb, pol, cfg, "dan", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if in.Senders[0] == nil || len(in.Senders[0].Entries) != 2 || in.Pair == nil || len(in.Pair.AB.Unanswered) != 4 {
		t.Errorf("dan and alice: %+v", in)
	}

	for _, pair := range [][2]string{{"nobody", "alice-bis"}, {"ali", "zoe"}} {
		in, err := state.Inspect(ctx, rdb, pol, cfg, pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if in.Pair != nil {
			t.Errorf("%v: a pair record: %+v", pair, in.Pair)
		}
		if pair[0] == "nobody" && !in.Empty() {
			t.Errorf("%v: not empty: %+v", pair, in)
		}
	}
	for _, bad := range [][2]string{{"alice", "alice"}, {"", "bob"}} {
		if _, err := state.Inspect(ctx, rdb, pol, cfg, bad[0], bad[1]); err == nil {
			t.Errorf("Inspect(%q, %q) did not fail", bad[0], bad[1])
		}
	}
}

// TestInspectLevelsCrossed shows the levels a sender record's signal crossed, with the
// members counted then.
func TestInspectLevelsCrossed(t *testing.T) {
	rdb := startRedis(t)
	ctx := context.Background()
	cfg := state.Config{KeyPrefix: uniquePrefix(t)}
	s, err := state.New(ctx, rdb, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, repeatOffender()...)
	in, err := state.Inspect(ctx, rdb, policy.Default(), cfg, "alice", "gus")
	if err != nil {
		t.Fatal(err)
	}
	var crossed []string
	for _, e := range in.Senders[0].Entries {
		for _, c := range e.Crossed {
			crossed = append(crossed, fmt.Sprintf("%s %s %d %v", e.Kind, e.Member, c.Level, c.Members))
		}
	}
	want := []string{"pestered dan 3 [bob carol dan]", "blocked_by gus 3 [erin fay gus]", "reported_by fay 2 [erin fay]"}
	if !slices.Equal(crossed, want) {
		t.Errorf("crossings = %q, want %q", crossed, want)
	}
}

func TestForget(t *testing.T) {
	t.Run("redis", func(t *testing.T) { testForget(t, startRedis(t)) })
	t.Run("cluster", func(t *testing.T) { testForget(t, startCluster(t)) })
}

func testForget(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	cfg := seed(t, rdb)
	pol := policy.Default()
	before := snapshot(t, rdb, cfg.KeyPrefix)

	// The keys the store wrote about alice, as Inspect finds them.
	gone := map[string]bool{}
	for _, other := range []string{"bob", "carol", "aaron", "ali", "malice", "dan"} {
		in, err := state.Inspect(ctx, rdb, pol, cfg, "alice", other)
		if err != nil {
			t.Fatal(err)
		}
		if in.Pair == nil || in.Senders[0] == nil {
			t.Fatalf("alice and %s: %+v", other, in)
		}
		gone[in.Pair.Key], gone[in.Senders[0].Key] = true, true
	}
	if c, ok := rdb.(*redis.ClusterClient); ok { // forget must scan every master: they hold some each
		masters := map[string]bool{}
		for k := range gone {
			m, err := c.MasterForKey(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			masters[m.Options().Addr] = true
		}
		if len(masters) < 2 {
			t.Fatalf("alice's keys are all on %v: the test shows nothing of a Cluster", masters)
		}
	}
	dan, err := state.Inspect(ctx, rdb, pol, cfg, "dan", "erin")
	if err != nil {
		t.Fatal(err)
	}
	danKey := dan.Senders[0].Key

	e, err := state.Forget(ctx, rdb, cfg, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if want := (state.Erasure{Pairs: 6, Own: 1, Senders: 1, SendersExamined: 2}); e != want {
		t.Errorf("Forget = %+v, want %+v", e, want)
	}
	after := snapshot(t, rdb, cfg.KeyPrefix)
	for k, v := range before {
		switch w, ok := after[k]; {
		case gone[k] && ok:
			t.Errorf("key %q still there", k)
		case gone[k]:
		case !ok:
			t.Errorf("key %q of another pair or member deleted", k)
		case k == danKey:
			r, err := offender.Decode(w)
			if err != nil {
				t.Fatal(err)
			}
			if r.Names("alice") {
				t.Errorf("dan's sender record still names alice")
			}
			var members []string
			for _, e := range r.Entries(&offender.Limits{}) {
				members = append(members, e.Kind.String()+" "+e.Member)
			}
			if !slices.Equal(members, []string{"pestered bob"}) {
				t.Errorf("dan's sender record = %q, want pestered bob only", members)
			}
		case w != v:
			t.Errorf("key %q changed", k)
		}
	}
	if len(after) != len(before)-len(gone) {
		t.Errorf("%d keys after, want %d", len(after), len(before)-len(gone))
	}
	for k, v := range after {
		if r, err := offender.Decode(v); err == nil && r.Names("alice") {
			t.Errorf("sender record %q names alice", k)
		}
	}
	// dan's record keeps the time it had left to live.
	if ttl := rdb.PTTL(ctx, danKey).Val(); ttl <= pol.Window() {
		t.Errorf("dan's record TTL = %s after forget", ttl)
	}
	// What the processor records next of dan still counts in his record.
	s, err := state.New(ctx, rdb, pol, cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, msg("f1", "dan", "fay", 30*hour), msg("f2", "dan", "fay", 31*hour), msg("f3", "dan", "fay", 32*hour), msg("f4", "dan", "fay", 33*hour))
	if in, err := state.Inspect(ctx, rdb, pol, cfg, "dan", "fay"); err != nil || len(in.Senders[0].Entries) != 2 {
		t.Errorf("dan's record after a new signal: %+v, %v", in.Senders[0], err)
	}

	again, err := state.Forget(ctx, rdb, cfg, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if again.Erased() != 0 {
		t.Errorf("second Forget = %+v, want nothing erased", again)
	}
	if _, err := state.Forget(ctx, rdb, cfg, ""); err == nil {
		t.Error("Forget of an empty id did not fail")
	}
}

// On a Cluster moving a slot, Forget erases what it finds and says records may be left:
// a key migrated between two masters' scans is seen on neither. Once the slot is stable,
// it runs clean.
func TestForgetOnAReshardingClusterSaysRecordsMayBeLeft(t *testing.T) {
	ctx := context.Background()
	rdb := startCluster(t)
	cfg := seed(t, rdb)
	in, err := state.Inspect(ctx, rdb, policy.Default(), cfg, "alice", "bob")
	if err != nil || in.Pair == nil {
		t.Fatalf("alice and bob: %+v, %v", in, err)
	}
	from, err := rdb.MasterForKey(ctx, in.Pair.Key)
	if err != nil {
		t.Fatal(err)
	}
	var to *redis.Client
	var mu sync.Mutex
	if err := rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		if m.Options().Addr != from.Options().Addr {
			to = m
		}
		return nil
	}); err != nil || to == nil {
		t.Fatalf("no other master: %v", err)
	}
	slot := rdb.ClusterKeySlot(ctx, in.Pair.Key).Val()
	id := func(c *redis.Client) string { return c.Do(ctx, "CLUSTER", "MYID").Val().(string) }
	setSlot := func(c *redis.Client, args ...any) {
		t.Helper()
		if err := c.Do(ctx, append([]any{"CLUSTER", "SETSLOT", slot}, args...)...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	setSlot(to, "IMPORTING", id(from))
	setSlot(from, "MIGRATING", id(to))

	e, err := state.Forget(ctx, rdb, cfg, "alice")
	if !errors.Is(err, state.ErrResharding) {
		t.Fatalf("Forget during a migration: %+v, %v; want ErrResharding", e, err)
	}
	if want := fmt.Sprint(slot, "->-", id(to)); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the migration %s", err, want)
	}
	if e.Pairs != 6 || e.Own != 1 {
		t.Errorf("Forget during a migration erased %+v, want alice's 6 pairs and her sender record all the same", e)
	}

	setSlot(from, "STABLE")
	setSlot(to, "STABLE")
	again, err := state.Forget(ctx, rdb, cfg, "alice")
	if err != nil || again.Erased() != 0 {
		t.Errorf("Forget once the slot is stable: %+v, %v; want nothing more, no error", again, err)
	}
}

// snapshot is every key under prefix on every master, with its value.
func snapshot(t *testing.T, rdb redis.UniversalClient, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	out := map[string]string{}
	each := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, "*", 100).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			if len(k) < len(prefix) || k[:len(prefix)] != prefix {
				continue
			}
			v, err := c.Get(ctx, k).Result()
			if err != nil {
				return err
			}
			mu.Lock()
			out[k] = v
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, each)
	case *redis.Client:
		err = each(ctx, c)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no key under %q", prefix)
	}
	return maps.Clone(out)
}
