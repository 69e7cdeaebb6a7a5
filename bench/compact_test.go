package bench_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// TestCompactMatchesRedis applies the same random observations, batch by batch, to
// state.Redis and to the Compact prototype and requires the same Streak for each.
func TestCompactMatchesRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	for _, tc := range []struct {
		name string
		cfg  state.Config
		seed uint64
	}{
		{"defaults", state.Config{}, 1},
		{"small caps", state.Config{MaxUnanswered: 5, MaxEvidence: 3, RememberUpTo: 7, Window: 2 * 24 * time.Hour}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ref, gotStore := tc.cfg, tc.cfg
			ref.KeyPrefix, gotStore.KeyPrefix = "ref-"+tc.name, "compact-"+tc.name
			want, err := state.New(ctx, rdb, ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := bench.NewCompact(ctx, rdb, gotStore)
			if err != nil {
				t.Fatal(err)
			}
			obs := bench.RandomObservations(tc.seed, 20_000)
			statuses := map[policy.Status]int{}
			for i := 0; i < len(obs); i += 100 {
				batch := obs[i:min(i+100, len(obs))]
				w, err := want.Apply(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				g, err := got.Apply(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				for j := range batch {
					statuses[w[j].Status]++
					if !reflect.DeepEqual(g[j], w[j]) {
						t.Fatalf("observation %d %+v:\ncompact   %+v\nstate.Redis %+v", i+j, batch[j], g[j], w[j])
					}
				}
			}
			t.Logf("statuses: %v", statuses)
			for s := policy.StatusCounted; s <= policy.StatusAnswer; s++ {
				if statuses[s] == 0 {
					t.Errorf("no observation with status %s: the workload does not cover it", s)
				}
			}
		})
	}
}
