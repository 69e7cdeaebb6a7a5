package state_test

import (
	"context"
	"testing"

	"github.com/relance/relance/internal/scriptstore"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// The store's first design, one Lua script per observation (internal/scriptstore), is an
// independent implementation of the same contract: the Go algorithm of pair.go must agree
// with it observation by observation.
func TestApplyMatchesTheReferenceScript(t *testing.T) {
	rdb := startRedis(t)
	for _, tc := range []struct {
		name     string
		cfg      state.Config
		seed     uint64
		users, n int
		batch    int
	}{
		{"defaults, few users", state.Config{}, 1, 6, 6000, 50},
		{"defaults, more users", state.Config{}, 2, 15, 6000, 500},
		{"small caps", state.Config{MaxUnanswered: 5, MaxEvidence: 3, RememberUpTo: 7, NudgeAt: 3, Window: 2 * day}, 3, 5, 6000, 1},
		{"short window", state.Config{Window: 20 * hour}, 4, 8, 6000, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store := newStore(t, rdb, tc.cfg)
			refCfg := tc.cfg
			refCfg.KeyPrefix = uniquePrefix(t) + "-ref"
			ref, err := scriptstore.New(ctx, rdb, refCfg)
			if err != nil {
				t.Fatal(err)
			}
			obs := workload(tc.seed, tc.users, tc.n)
			statuses := map[policy.Status]int{}
			for i := 0; i < len(obs); i += tc.batch {
				batch := obs[i:min(i+tc.batch, len(obs))]
				got := apply(t, store, batch...)
				for j, o := range batch {
					w, err := ref.Apply(ctx, []policy.Observation{o})
					if err != nil {
						t.Fatal(err)
					}
					want := w[0]
					statuses[want.Status]++
					if diff := streakDiff(want, got[j]); diff != "" {
						t.Fatalf("observation %d %+v differs from the reference:\n%s", i+j, o, diff)
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
