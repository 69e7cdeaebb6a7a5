package main

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/internal/scriptstore"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// storeRun is one store's figures over the same observations.
type storeRun struct {
	elapsed         time.Duration
	redisCPU        float64 // seconds
	commands        int64
	heldBytesPerMsg float64
}

type storeComparison struct {
	events     int
	mismatches int
	redis      storeRun // state.Redis
	first      storeRun // the first design, internal/scriptstore
}

// compareStores applies the same workload observations, in batches of 1000, to
// state.Redis and to the first design (one script per observation, each on keys of its
// own), comparing every Streak, and measures each store's rate, Redis CPU, commands and
// memory per event.
func compareStores(ctx context.Context, rdb *redis.Client, cfg config) (storeComparison, error) {
	pol := policy.Default()
	ref, err := state.New(ctx, rdb, bench.StoreConfig(pol, "cmp-redis"))
	if err != nil {
		return storeComparison{}, err
	}
	first, err := scriptstore.New(ctx, rdb, bench.StoreConfig(pol, "cmp-first"))
	if err != nil {
		return storeComparison{}, err
	}
	w := bench.NewWorkload(bench.WorkloadConfig{Seed: cfg.seed + 2000, Step: time.Millisecond,
		Start: time.Now().Add(-time.Duration(cfg.storeCheck)*time.Millisecond - time.Hour)})
	obs := make([]policy.Observation, cfg.storeCheck)
	for i := range obs {
		obs[i] = w.Next().Observation
	}
	res := storeComparison{events: len(obs)}
	var want, got [][]policy.Streak
	run := func(s bench.Applier, into *[][]policy.Streak) (storeRun, error) {
		before, err := bench.Info(ctx, rdb)
		if err != nil {
			return storeRun{}, err
		}
		start := time.Now()
		for i := 0; i < len(obs); i += 1000 {
			out, err := s.Apply(ctx, obs[i:min(i+1000, len(obs))])
			if err != nil {
				return storeRun{}, err
			}
			*into = append(*into, out)
		}
		elapsed := time.Since(start)
		after, err := bench.Info(ctx, rdb)
		if err != nil {
			return storeRun{}, err
		}
		return storeRun{elapsed: elapsed, redisCPU: after.CPU - before.CPU,
			commands: after.TotalCommands() - before.TotalCommands()}, nil
	}
	if res.redis, err = run(ref, &want); err != nil {
		return res, err
	}
	if res.first, err = run(first, &got); err != nil {
		return res, err
	}
	for i := range want {
		for j := range want[i] {
			if !reflect.DeepEqual(want[i][j], got[i][j]) {
				res.mismatches++
			}
		}
	}
	if res.redis.heldBytesPerMsg, err = bench.HeldMemory(ctx, rdb, ref, "held-redis", cfg.heldPairs, cfg.heldPerPair); err != nil {
		return res, err
	}
	if res.first.heldBytesPerMsg, err = bench.HeldMemory(ctx, rdb, first, "held-first", cfg.heldPairs, cfg.heldPerPair); err != nil {
		return res, err
	}
	return res, nil
}

func (c storeComparison) rows(row func(k, v string)) {
	n := float64(c.events)
	for _, r := range []struct {
		name string
		s    storeRun
	}{{"state.Redis", c.redis}, {"first design (a script per event)", c.first}} {
		row(fmt.Sprintf("store alone, %s", r.name), fmt.Sprintf("%.0f events/s, %.1f µs Redis CPU/event, %.1f commands/event, %.0f bytes/held message",
			n/r.s.elapsed.Seconds(), r.s.redisCPU/n*1e6, float64(r.s.commands)/n, r.s.heldBytesPerMsg))
	}
	row("state.Redis vs first design", fmt.Sprintf("%.1f× the rate, %.1f× less Redis CPU; %d of %d Streaks differ",
		c.first.elapsed.Seconds()/c.redis.elapsed.Seconds(), c.first.redisCPU/c.redis.redisCPU, c.mismatches, c.events))
}
