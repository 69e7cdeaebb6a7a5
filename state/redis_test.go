package state_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

func TestApplyScenarios(t *testing.T) {
	runScenarios(t, onRedis(startRedis(t)), scenarios())
}

func TestApplyScenariosOnCluster(t *testing.T) {
	runScenarios(t, onRedis(startCluster(t)), scenarios())
}

// The embedded mode runs the same script on miniredis (gopher-lua): every scenario, with
// 13-digit millisecond times, must give what redis-server gives.
func TestApplyScenariosOnMiniredis(t *testing.T) {
	runScenarios(t, onRedis(startMiniredis(t)), scenarios())
}

// The in-memory store runs the same algorithm without Redis: the same Streaks again.
func TestApplyScenariosInMemory(t *testing.T) {
	runScenarios(t, inMemory, scenarios())
}

func TestApplyOneBatchEqualsOneAtATime(t *testing.T) {
	rdb := startRedis(t)
	obs := workload(1, 6, 600)

	batch := apply(t, newStore(t, rdb, state.Config{}), obs...)

	single := newStore(t, rdb, state.Config{})
	want := make([]policy.Streak, len(obs))
	for i, o := range obs {
		want[i] = apply(t, single, o)[0]
	}
	if diff := streaksDiff(obs, want, batch); diff != "" {
		t.Fatalf("one batch differs from one observation at a time:\n%s", diff)
	}
	assertEveryStatus(t, want)
}

// assertEveryStatus makes sure a workload exercised the whole script.
func assertEveryStatus(t *testing.T, streaks []policy.Streak) {
	t.Helper()
	seen := map[policy.Status]int{}
	for _, s := range streaks {
		seen[s.Status]++
	}
	t.Logf("statuses: %v", seen)
	for _, st := range []policy.Status{policy.StatusCounted, policy.StatusReplayed, policy.StatusDuplicate,
		policy.StatusLate, policy.StatusStale, policy.StatusAnswer} {
		if seen[st] == 0 {
			t.Errorf("workload has no %s observation: %v", st, seen)
		}
	}
}

func TestApplySameOnMiniredisAsOnRedis(t *testing.T) {
	obs := workload(2, 5, 400)
	want := apply(t, newStore(t, startRedis(t), state.Config{}), obs...)
	got := apply(t, newStore(t, startMiniredis(t), state.Config{}), obs...)
	if diff := streaksDiff(obs, want, got); diff != "" {
		t.Fatalf("miniredis differs from redis-server:\n%s", diff)
	}
}

func TestApplyManyPairsOnCluster(t *testing.T) {
	obs := workload(3, 200, 3000)
	want := apply(t, newStore(t, startRedis(t), state.Config{}), obs...)

	cluster := startCluster(t)
	s := newStore(t, cluster, state.Config{})
	got := apply(t, s, obs...)
	if diff := streaksDiff(obs, want, got); diff != "" {
		t.Fatalf("cluster differs from a single redis-server:\n%s", diff)
	}

	// The pairs spread over every master.
	var masters atomic.Int64
	err := cluster.ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
		if n, err := c.DBSize(ctx).Result(); err != nil || n == 0 {
			return fmt.Errorf("master %s holds %d keys: %v", c.Options().Addr, n, err)
		}
		masters.Add(1)
		return nil
	})
	if err != nil || masters.Load() != 3 {
		t.Fatalf("keys on %d of 3 masters: %v", masters.Load(), err)
	}

	// Redelivering the whole batch counts nothing again (ids that slid out of their
	// pair's window are forgotten, and come back stale or late).
	again := apply(t, s, obs...)
	for i, st := range again {
		if st.Status == policy.StatusCounted {
			t.Errorf("observation %d redelivered: counted again: %+v", i, st)
		}
	}
}

func TestApplyRedeliveredBatchReplaysTheFirstStreaks(t *testing.T) {
	s := newStoreWith(t, startRedis(t), everyCount(t), state.Config{})
	var obs []policy.Observation
	for _, st := range followUps(12) {
		obs = append(obs, st.obs)
	}
	obs = append(obs, offensive("o13", "alice", "bob", 13*hour))
	first := apply(t, s, obs...)
	want := make([]policy.Streak, len(first))
	for i := range first {
		want[i] = replayed(first[i], obs[i].Categories...)
	}
	obs = append(obs, reply("bob", "alice", 14*hour))
	got := apply(t, s, obs...)
	if diff := streaksDiff(obs, append(want, answer), got); diff != "" {
		t.Fatalf("redelivery differs from the first pass:\n%s", diff)
	}
}

func TestApplyEveryKeyExpires(t *testing.T) {
	ctx := context.Background()
	rdb := startRedis(t)
	pol, err := policy.Parse([]byte("window: 2d"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := state.New(ctx, rdb, pol, state.Config{TTLMargin: hour, KeyPrefix: "ttl"})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s,
		msg("m1", "alice", "bob", 0),
		offensive("m2", "alice", "bob", hour),
		msg("m2", "alice", "bob", hour),
		msg("b1", "bob", "alice", 2*hour),
		msg("m3", "alice", "bob", hour),
		msg("m4", "alice", "bob", 5*day),
		msg("m5", "alice", "bob", 0),
		reply("carol", "alice", day),
		msg("c1", "alice", "carol", 3*hour),
	)

	// One key per unordered pair: alice–bob and alice–carol.
	keys := 0
	iter := rdb.Scan(ctx, 0, "ttl:*", 100).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > 2*day+hour {
			t.Errorf("key %q: TTL %s, want in (0, %s]", key, ttl, 2*day+hour)
		}
		if kind := strings.Split(key, ":")[2]; kind != "p" {
			t.Errorf("key %q: kind %q, want p", key, kind)
		}
		keys++
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if keys != 2 {
		t.Errorf("%d keys, want 2 (one per pair)", keys)
	}
}

func TestApplyRecoversFromScriptFlush(t *testing.T) {
	ctx := context.Background()
	rdb := startRedis(t)
	s := newStore(t, rdb, state.Config{})
	apply(t, s, msg("m1", "alice", "bob", 0))
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	got := apply(t, s, msg("m2", "alice", "bob", hour), msg("m3", "alice", "bob", 2*hour))
	want := policy.Streak{Status: policy.StatusCounted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
		Attempts: 3, PrevPeakAttempts: 2, PeakAttempts: 3,
		FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2", "m3")}
	if diff := streakDiff(want, got[1]); diff != "" {
		t.Fatalf("after SCRIPT FLUSH:\n%s", diff)
	}
}

func TestApplyRecoversFromScriptFlushOnCluster(t *testing.T) {
	ctx := context.Background()
	cluster := startCluster(t)
	s := newStore(t, cluster, state.Config{})
	obs := workload(4, 50, 200)
	apply(t, s, obs[:100]...)
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		return c.ScriptFlush(ctx).Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, obs[100:]...)
}

// countingHook counts the commands a client sends.
type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

func TestApplyEmptyMakesNoCall(t *testing.T) {
	rdb := startRedis(t)
	s := newStore(t, rdb, state.Config{})
	hook := &countingHook{}
	rdb.AddHook(hook)
	for _, obs := range [][]policy.Observation{nil, {}} {
		got, err := s.Apply(context.Background(), obs)
		if got != nil || err != nil {
			t.Errorf("Apply(%#v) = %v, %v; want nil, nil", obs, got, err)
		}
	}
	if n := hook.n.Load(); n != 0 {
		t.Errorf("Apply of nothing sent %d commands", n)
	}
}

// An observation the store cannot record changes nothing and gets a Result that says why;
// the batch's other observations are recorded.
func TestApplyRejectsInvalidObservations(t *testing.T) {
	tests := []struct {
		name string
		obs  policy.Observation
	}{
		{"unknown action", policy.Observation{MessageID: "m1", SenderID: "a", RecipientID: "b", SentAt: base}},
		{"no sender", msg("m1", "", "b", 0)},
		{"no recipient", msg("m1", "a", "", 0)},
		{"sender is recipient", msg("m1", "a", "a", 0)},
		{"message without id", msg("", "a", "b", 0)},
		{"time before 1970", policy.Observation{Action: policy.ActionMessage, MessageID: "m1", SenderID: "a", RecipientID: "b"}},
	}
	for _, open := range []struct {
		name string
		open opener
	}{{"redis", onRedis(startMiniredis(t))}, {"memory", inMemory}} {
		for _, tt := range tests {
			t.Run(open.name+"/"+tt.name, func(t *testing.T) {
				s := open.open(t, policy.Default(), state.Config{})
				res, err := s.Apply(context.Background(), []policy.Observation{msg("ok1", "a", "b", 0), tt.obs, msg("ok2", "a", "b", hour)})
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if !errors.Is(res[1].Invalid, policy.ErrInvalidObservation) || res[1].Streak.Status != 0 {
					t.Fatalf("result %+v, want Invalid wrapping ErrInvalidObservation and no streak", res[1])
				}
				if res[0].Invalid != nil || res[2].Invalid != nil || res[2].Streak.Count != 2 {
					t.Fatalf("the valid observations around it: %+v, %+v; want both counted", res[0], res[2])
				}
			})
		}
	}
}

func TestPing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, startRedis(t), state.Config{})
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	c := newStore(t, startCluster(t), state.Config{})
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestNewFailsWithoutRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	if _, err := state.New(context.Background(), rdb, policy.Default(), state.Config{}); err == nil {
		t.Fatal("New without a reachable Redis: no error")
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     state.Config
		wantErr string
	}{
		{"zero value takes the defaults", state.Config{}, ""},
		{"explicit settings", state.Config{TTLMargin: time.Minute, MaxUnanswered: 10, MaxEvidence: 5, KeyPrefix: "r:1"}, ""},
		{"negative TTL margin", state.Config{TTLMargin: -time.Second}, "TTL margin -1s: must not be negative"},
		{"negative max unanswered", state.Config{MaxUnanswered: -1}, "max unanswered -1"},
		{"huge max unanswered", state.Config{MaxUnanswered: 2_000_000}, "max unanswered 2000000"},
		{"negative max evidence", state.Config{MaxEvidence: -1}, "max evidence -1"},
		{"hash tag in the prefix", state.Config{KeyPrefix: "a{b}"}, `key prefix "a{b}"`},
		{"no cache", state.Config{CachePairs: -1}, ""},
		{"cache size below -1", state.Config{CachePairs: -2}, "cache pairs -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	_, err := state.New(context.Background(), startMiniredis(t), policy.Default(), state.Config{MaxEvidence: -1})
	if err == nil || !strings.HasPrefix(err.Error(), "state: max evidence") {
		t.Fatalf("New: %v, want the Validate error", err)
	}
	if _, err := state.NewMemory(nil, state.Config{}); err == nil {
		t.Fatal("NewMemory without a policy: no error")
	}
}

// BenchmarkApply measures batches of 1000 observations over many pairs on redis-server.
func BenchmarkApply(b *testing.B) {
	const batch = 1000
	s := newStore(b, startRedis(b), state.Config{})
	ctx := context.Background()
	obs := make([]policy.Observation, batch)
	clock := time.Duration(0)
	n := 0
	for b.Loop() {
		for i := range obs {
			n++
			clock += time.Second
			obs[i] = policy.Observation{
				Action:      policy.ActionMessage,
				MessageID:   fmt.Sprintf("m-%d", n),
				SenderID:    fmt.Sprintf("u-%d", n%5000),
				RecipientID: fmt.Sprintf("u-%d", (n*7+1)%5000),
				SentAt:      at(clock),
			}
			if n%10 == 0 {
				obs[i].Action = policy.ActionReply
			}
		}
		if _, err := s.Apply(ctx, obs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "obs/s")
}

// With the policy's levels, only a message that raised the peak to a level (or an
// offensive one) keeps a view; a redelivery of another is a duplicate, which decides the
// same (nothing fires), and costs no memory.
func TestApplyRemembersViewsAtLevelsOnly(t *testing.T) {
	s := newStoreWith(t, startRedis(t), levels(t, 2, 4), state.Config{})
	var obs []policy.Observation
	for i := range 5 {
		obs = append(obs, msg(fmt.Sprintf("m%d", i+1), "alice", "bob", time.Duration(i)*hour))
	}
	first := apply(t, s, obs...)
	again := apply(t, s, obs...)
	for i, want := range []policy.Status{policy.StatusDuplicate, policy.StatusReplayed, policy.StatusDuplicate,
		policy.StatusReplayed, policy.StatusDuplicate} {
		if again[i].Status != want {
			t.Errorf("m%d (peak %d) redelivered: %s, want %s", i+1, first[i].Peak, again[i].Status, want)
		}
		if want == policy.StatusReplayed {
			if diff := streakDiff(replayed(first[i]), again[i]); diff != "" {
				t.Errorf("m%d replayed:\n%s", i+1, diff)
			}
		}
	}
}

// TestApplyRedeliveredBurstsRepublishTheSameIDs: a batch of bursts, follow-ups and a
// flood, redelivered whole, decides again every nudge and alert of its first pass under
// the same ids, and nothing else, under the default policy (attempts and messages).
func TestApplyRedeliveredBurstsRepublishTheSameIDs(t *testing.T) {
	pol := policy.Default()
	s := newStoreWith(t, startRedis(t), pol, state.Config{})
	var obs []policy.Observation
	add := func(id string, d time.Duration) { obs = append(obs, msg(id, "alice", "bob", d)) }
	for a := range 7 { // seven attempts of one to three bubbles
		for b := range 1 + a%3 {
			add(fmt.Sprintf("a%d-%d", a, b), time.Duration(a)*hour+time.Duration(b)*20*time.Second)
		}
	}
	for i := range 25 { // carol floods dan
		obs = append(obs, msg(fmt.Sprintf("f%d", i), "carol", "dan", time.Duration(i)*time.Second))
	}
	decide := func(streaks []policy.Streak) []string {
		var ids []string
		for i, st := range streaks {
			d := pol.Decide(policy.Input{Observation: obs[i]}, st)
			for _, n := range d.Nudges {
				ids = append(ids, obs[i].MessageID+" "+n.Kind+" "+n.NudgeID)
			}
			for _, a := range d.Alerts {
				ids = append(ids, obs[i].MessageID+" alert "+a.Severity+" "+a.AlertID)
			}
		}
		return ids
	}
	first := decide(apply(t, s, obs...))
	again := decide(apply(t, s, obs...))
	// alice: the nudge at her fourth attempt and the medium alert at her seventh; carol:
	// the nudge at 10 messages and the medium alert at 20.
	if len(first) != 6 || !slices.Equal(again, first) {
		t.Fatalf("first pass %q\nredelivered %q", first, again)
	}
}
