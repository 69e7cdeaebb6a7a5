package state_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// interleaveHook runs once, just before the first script call (the store's write), the
// function it holds: another writer getting in between the store's read and its write.
type interleaveHook struct {
	once sync.Once
	run  func()
}

func (h *interleaveHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *interleaveHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (h *interleaveHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if strings.EqualFold(cmds[0].Name(), "evalsha") {
			h.once.Do(h.run)
		}
		return next(ctx, cmds)
	}
}

func TestApplyRedoesAPairWrittenByAnotherWriterMeanwhile(t *testing.T) {
	ctx := context.Background()
	addr := startRedis(t).Options().Addr
	cfg := state.Config{KeyPrefix: uniquePrefix(t)}
	newClient := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	first, other := newClient(), newClient()
	store, err := state.New(ctx, first, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	otherStore, err := state.New(ctx, other, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, store, msg("m1", "alice", "bob", 0))

	// Between this store's read and write, the other writer counts m2 in the same pair,
	// and writes a pair this batch does not touch.
	hook := &interleaveHook{run: func() {
		apply(t, otherStore, msg("m2", "alice", "bob", hour), msg("x1", "carol", "dan", hour))
	}}
	first.AddHook(hook)
	got := apply(t, store, msg("m3", "alice", "bob", 2*hour), msg("c1", "carol", "erin", 2*hour))

	want := policy.Streak{Status: policy.StatusCounted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
		Attempts: 3, PrevPeakAttempts: 2, PeakAttempts: 3,
		FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2", "m3")}
	if diff := streakDiff(want, got[0]); diff != "" {
		t.Fatalf("m3 after another writer counted m2:\n%s", diff)
	}
	// Nothing was lost: a fresh store sees all three messages.
	check, err := state.New(ctx, newClient(), policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	again := apply(t, check, msg("m4", "alice", "bob", 3*hour))
	if again[0].Count != 4 {
		t.Fatalf("after both writers: count %d, want 4: %+v", again[0].Count, again[0])
	}
}

// Two stores, on connections of their own, write the same pairs at once: every message
// is counted once, none lost to a concurrent write.
func TestApplyConcurrentWritersLoseNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		rdb  func(t *testing.T) redis.UniversalClient
	}{
		{"redis", func(t *testing.T) redis.UniversalClient { return startRedis(t) }},
		{"cluster", func(t *testing.T) redis.UniversalClient { return startCluster(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			rdb := tc.rdb(t)
			cfg := state.Config{KeyPrefix: uniquePrefix(t), MaxEvidence: 1}
			const writers, batches, pairs = 4, 25, 10
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				store, err := state.New(ctx, rdb, policy.Default(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				wg.Go(func() {
					for b := range batches {
						var obs []policy.Observation
						for p := range pairs {
							obs = append(obs, msg(fmt.Sprintf("w%d-b%d-p%d", w, b, p), fmt.Sprintf("s%d", p), "r", hour))
						}
						if _, err := store.Apply(ctx, obs); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			store, err := state.New(ctx, rdb, policy.Default(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			for p := range pairs {
				got := apply(t, store, msg(fmt.Sprintf("last-%d", p), fmt.Sprintf("s%d", p), "r", hour))
				if want := writers*batches + 1; got[0].Count != want {
					t.Errorf("pair %d: count %d, want %d", p, got[0].Count, want)
				}
			}
		})
	}
}

// The store keeps the pairs it wrote and does not read them back; a pair someone else
// wrote, or that Redis lost, since is detected and read again.
func TestApplyCachedPairsStayCorrect(t *testing.T) {
	ctx := context.Background()
	rdb := startRedis(t)
	cfg := state.Config{KeyPrefix: uniquePrefix(t)}
	store, err := state.New(ctx, rdb, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	other, err := state.New(ctx, rdb, policy.Default(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hook := &countingHook{}
	rdb.AddHook(hook)
	reads := func() int64 { return hook.n.Load() }

	apply(t, store, msg("m1", "alice", "bob", 0))
	before := reads()
	got := apply(t, store, msg("m2", "alice", "bob", hour))
	if n := reads() - before; n != 1 {
		t.Errorf("a batch on a pair this store just wrote sent %d commands, want 1 (the write)", n)
	}
	if got[0].Count != 2 {
		t.Fatalf("m2: count %d, want 2", got[0].Count)
	}

	apply(t, other, msg("m3", "alice", "bob", 2*hour))
	if got = apply(t, store, msg("m4", "alice", "bob", 3*hour)); got[0].Count != 4 {
		t.Fatalf("m4 after another store counted m3: count %d, want 4", got[0].Count)
	}

	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	want := policy.Streak{Status: policy.StatusCounted, Count: 1, Peak: 1, StartID: "m5", Attempts: 1, PeakAttempts: 1,
		FirstUnansweredAt: at(4 * hour), LastMessageAt: at(4 * hour), MessageIDs: ids("m5")}
	if diff := streakDiff(want, apply(t, store, msg("m5", "alice", "bob", 4*hour))[0]); diff != "" {
		t.Fatalf("m5 after Redis lost the pair: the cached pair was used:\n%s", diff)
	}
}
