package state_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// pairKey is the one key a store with prefix holds on rdb.
func pairKey(t *testing.T, rdb *redis.Client, prefix string) string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), prefix+":*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %q, err %v; want one pair", keys, err)
	}
	return keys[0]
}

// A stored value the store cannot read (corrupt, or of a format it does not know) does not
// stall the batch: it is counted, and the pair starts again from an empty record, written
// back readable.
func TestApplyReplacesAnUnreadableValue(t *testing.T) {
	ctx := context.Background()
	rdb := startRedis(t)
	for _, tt := range []struct {
		name    string
		corrupt func(key string) error
	}{
		{"corrupt value", func(key string) error { return rdb.Set(ctx, key, "\x02not a pair value at all", 0).Err() }},
		{"format of a later version", func(key string) error { return rdb.Set(ctx, key, "\x09123456789", 0).Err() }},
		{"not a string", func(key string) error {
			return rdb.Del(ctx, key).Err() // HSET on the key below
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New()
			prefix := uniquePrefix(t)
			s, err := state.New(ctx, rdb, policy.Default(), state.Config{KeyPrefix: prefix, CachePairs: -1}, state.WithMetrics(m))
			if err != nil {
				t.Fatal(err)
			}
			apply(t, s, msg("m1", "alice", "bob", 0), msg("m2", "alice", "bob", hour))
			key := pairKey(t, rdb, prefix)
			if err := tt.corrupt(key); err != nil {
				t.Fatal(err)
			}
			wantUnreadable := 1.0
			if tt.name == "not a string" {
				if err := rdb.HSet(ctx, key, "f", "v").Err(); err != nil {
					t.Fatal(err)
				}
				wantUnreadable = 0 // read as absent, as MGET reads it
			}
			if got := apply(t, s, msg("m3", "alice", "bob", 2*hour)); got[0].Count != 1 || got[0].StartID != "m3" {
				t.Fatalf("after the value was lost: %+v, want a new streak of 1", got[0])
			}
			if got := testutil.ToFloat64(m.StateUnreadable); got != wantUnreadable {
				t.Errorf("relance_state_unreadable_total = %v, want %v", got, wantUnreadable)
			}
			if got := apply(t, s, msg("m4", "alice", "bob", 3*hour)); got[0].Count != 2 {
				t.Fatalf("the record written back: %+v, want a streak of 2", got[0])
			}
		})
	}
}

// A record that keeps losing its compare-and-set (another writer changes it between every
// read and write, twenty times in a row) does not fail the batch: it is redone until it
// gets through, and every conflict is counted.
func TestApplyOutlastsARecordThatKeepsChanging(t *testing.T) {
	ctx := context.Background()
	addr := startRedis(t).Options().Addr
	prefix := uniquePrefix(t)
	client := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	first, other := client(), client()
	m := metrics.New()
	store, err := state.New(ctx, first, policy.Default(), state.Config{KeyPrefix: prefix}, state.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	otherStore, err := state.New(ctx, other, policy.Default(), state.Config{KeyPrefix: prefix, CachePairs: -1})
	if err != nil {
		t.Fatal(err)
	}
	const rivals = 20
	n := 0
	first.AddHook(&everyWriteHook{run: func() {
		if n < rivals {
			n++
			apply(t, otherStore, msg("o"+strings.Repeat("x", n), "alice", "bob", hour))
		}
	}})
	got := apply(t, store, msg("m1", "alice", "bob", 2*hour))
	if got[0].Count != rivals+1 {
		t.Fatalf("count %d, want %d: the rivals' messages and this one", got[0].Count, rivals+1)
	}
	if c := testutil.ToFloat64(m.StateConflicts); c != rivals {
		t.Errorf("relance_state_conflicts_total = %v, want %d", c, rivals)
	}
}

// everyWriteHook runs its function before each script call (the store's write).
type everyWriteHook struct{ run func() }

func (h *everyWriteHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *everyWriteHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *everyWriteHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if strings.EqualFold(cmds[0].Name(), "evalsha") {
			h.run()
		}
		return next(ctx, cmds)
	}
}

// A pair this store wrote (and keeps cached) that someone else replaced meanwhile, by a
// string or by another type, is not overwritten unseen: the write finds it changed, reads
// it again, and redoes the batch on what it holds now (another type reads as absent).
func TestApplyRedoesACachedPairReplacedMeanwhile(t *testing.T) {
	ctx := context.Background()
	rdb := startRedis(t)
	for _, tt := range []struct {
		name    string
		replace func(key string) error
		count   int
	}{
		{"by another store's value", nil, 3},
		{"by a hash", func(key string) error {
			if err := rdb.Del(ctx, key).Err(); err != nil {
				return err
			}
			return rdb.HSet(ctx, key, "f", "v").Err()
		}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prefix := uniquePrefix(t)
			s, err := state.New(ctx, rdb, policy.Default(), state.Config{KeyPrefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			apply(t, s, msg("m1", "alice", "bob", 0))
			key := pairKey(t, rdb, prefix)
			if tt.replace == nil {
				other, err := state.New(ctx, rdb, policy.Default(), state.Config{KeyPrefix: prefix, CachePairs: -1})
				if err != nil {
					t.Fatal(err)
				}
				apply(t, other, msg("o1", "alice", "bob", hour))
			} else if err := tt.replace(key); err != nil {
				t.Fatal(err)
			}
			if got := apply(t, s, msg("m2", "alice", "bob", 2*hour)); got[0].Count != tt.count {
				t.Fatalf("m2: %+v, want a streak of %d", got[0], tt.count)
			}
			if typ := rdb.Type(ctx, key).Val(); typ != "string" {
				t.Fatalf("the key holds a %s after the write", typ)
			}
			if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 0 {
				t.Fatalf("the key's TTL after the write: %v", ttl)
			}
		})
	}
}

// TestApplyFailsWhenRedisRefusesTheWrite: a Redis out of memory (maxmemory reached, no
// eviction) refuses the script's writes. Apply fails with Redis's error, which the
// processor retries with backoff; it is not taken for another writer's change, which would
// be redone without end and counted as a conflict.
func TestApplyFailsWhenRedisRefusesTheWrite(t *testing.T) {
	ctx := context.Background()
	rdb := startRedis(t)
	m := metrics.New()
	s, err := state.New(ctx, rdb, policy.Default(), state.Config{KeyPrefix: uniquePrefix(t), CachePairs: -1}, state.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, msg("m1", "alice", "bob", 0)) // a key that exists: the XX branch
	if err := rdb.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	defer rdb.ConfigSet(ctx, "maxmemory", "0")
	for _, o := range []policy.Observation{msg("m2", "alice", "bob", hour), msg("n1", "carol", "dan", hour)} {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := s.Apply(ctx, []policy.Observation{o})
		cancel()
		if err == nil || !strings.Contains(err.Error(), "OOM") {
			t.Errorf("%s: Apply on a Redis out of memory: %v, want its OOM error", o.MessageID, err)
		}
	}
	if n := testutil.ToFloat64(m.StateConflicts); n != 0 {
		t.Errorf("%v conflicts counted, want none", n)
	}
}
