package state_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// readCounter counts the keys the store reads (GET and MGET arguments) and its script
// calls.
type readCounter struct{ keys, scripts atomic.Int64 }

func (h *readCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *readCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count(cmd)
		return next(ctx, cmd)
	}
}
func (h *readCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.count(c)
		}
		return next(ctx, cmds)
	}
}
func (h *readCounter) count(cmd redis.Cmder) {
	if strings.EqualFold(cmd.Name(), "mget") || strings.EqualFold(cmd.Name(), "get") {
		h.keys.Add(int64(len(cmd.Args()) - 1))
	}
	if strings.EqualFold(cmd.Name(), "evalsha") {
		h.scripts.Add(1)
	}
}

// newPairs is n first messages between members no one wrote to yet, batch b.
func newPairs(b, n int) []policy.Observation {
	obs := make([]policy.Observation, n)
	for i := range obs {
		obs[i] = msg(fmt.Sprintf("b%d-m%d", b, i), fmt.Sprintf("b%d-s%d", b, i), "r", hour)
	}
	return obs
}

// TestNewPairsAreWrittenWithoutReadingOnceReadsFindNone: while the pairs the cache misses
// keep turning out new, the store stops reading them before writing (a round trip less on
// a batch's path); a pair that exists all the same (written by another store) is read and
// its observations redone, counted on top of what it held, and no conflict is counted;
// once such pairs are common, the store reads first again.
func TestNewPairsAreWrittenWithoutReadingOnceReadsFindNone(t *testing.T) {
	ctx := context.Background()
	addr := startRedis(t).Options().Addr
	cfg := state.Config{KeyPrefix: uniquePrefix(t)}
	reads := &readCounter{}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	rdb.AddHook(reads)
	other := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _, _ = rdb.Close(), other.Close() })
	m := metrics.New()
	store, err := state.New(ctx, rdb, policy.Default(), cfg, state.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	otherStore, err := state.New(ctx, other, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}

	for b := range 4 { // 2,000 new pairs, read before written: every read finds nothing
		apply(t, store, newPairs(b, 500)...)
	}
	if n := reads.keys.Load(); n != 2000 {
		t.Fatalf("%d keys read while warming up, want 2000", n)
	}
	before := reads.keys.Load()
	for _, s := range apply(t, store, newPairs(5, 200)...) {
		if s.Count != 1 {
			t.Fatalf("a new pair's first message counted %d, want 1", s.Count)
		}
	}
	if n := reads.keys.Load() - before; n != 0 {
		t.Errorf("%d keys read for a batch of new pairs after 2,000 read absent, want none", n)
	}

	// Another store wrote alice→bob: this store's cache misses it and guesses it new.
	apply(t, otherStore, msg("o1", "alice", "bob", hour))
	before = reads.keys.Load()
	got := apply(t, store, append(newPairs(6, 10), msg("o2", "alice", "bob", 2*hour))...)
	if c := got[len(got)-1].Count; c != 2 {
		t.Errorf("a pair guessed new but written by another store: count %d, want 2 (its message and ours)", c)
	}
	if n := reads.keys.Load() - before; n != 1 {
		t.Errorf("%d keys read, want 1 (the pair that existed)", n)
	}
	if c := testutil.ToFloat64(m.StateConflicts); c != 0 {
		t.Errorf("%v conflicts counted for a wrong guess, want none", c)
	}
	if again := apply(t, otherStore, msg("o3", "alice", "bob", 3*hour)); again[0].Count != 3 {
		t.Errorf("the other store then counts %d, want 3: both messages were kept", again[0].Count)
	}

	// Now every pair the cache misses exists: the first batch guesses wrong and writes
	// twice (two script calls of 256 and 44 pairs each time); the store then reads
	// first, and writes once.
	var existing [][]policy.Observation
	for b := range 3 {
		obs := make([]policy.Observation, 300)
		for i := range obs {
			obs[i] = msg(fmt.Sprintf("x%d-%d", b, i), fmt.Sprintf("x%d-s%d", b, i), "r", hour)
		}
		apply(t, otherStore, obs...)
		for i := range obs {
			obs[i].MessageID += "-again"
			obs[i].SentAt = obs[i].SentAt.Add(hour)
		}
		existing = append(existing, obs)
	}
	for b, obs := range existing {
		before, scripts := reads.keys.Load(), reads.scripts.Load()
		for _, s := range apply(t, store, obs...) {
			if s.Count != 2 {
				t.Fatalf("batch %d of pairs that exist: count %d, want 2", b, s.Count)
			}
		}
		if n := reads.keys.Load() - before; n != 300 {
			t.Errorf("batch %d of pairs that exist: %d keys read, want 300 (read once each, guessed or not)", b, n)
		}
		want := int64(2)
		if b == 0 {
			want = 4
		}
		if n := reads.scripts.Load() - scripts; n != want {
			t.Errorf("batch %d of pairs that exist: %d script calls, want %d", b, n, want)
		}
	}
}
