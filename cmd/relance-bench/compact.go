package main

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/bench"
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

type compactResult struct {
	events     int
	mismatches int
	redis      storeRun
	compact    storeRun
}

// compareCompact applies the same workload observations, in batches of 1000, to
// state.Redis and to the compact prototype (each on keys of its own), comparing every
// Streak, and measures each store's rate, Redis CPU and commands per event.
func compareCompact(ctx context.Context, rdb *redis.Client, cfg config) (compactResult, error) {
	pol := policy.Default()
	ref, err := state.New(ctx, rdb, bench.StoreConfig(pol, "cmp-redis"))
	if err != nil {
		return compactResult{}, err
	}
	cmp, err := bench.NewCompact(ctx, rdb, bench.StoreConfig(pol, "cmp-compact"))
	if err != nil {
		return compactResult{}, err
	}
	w := bench.NewWorkload(bench.WorkloadConfig{Seed: cfg.seed + 2000, Step: time.Millisecond,
		Start: time.Now().Add(-time.Duration(cfg.compactCheck)*time.Millisecond - time.Hour)})
	obs := make([]policy.Observation, cfg.compactCheck)
	for i := range obs {
		obs[i] = w.Next().Observation
	}
	res := compactResult{events: len(obs)}
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
	if res.compact, err = run(cmp, &got); err != nil {
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
	if res.compact.heldBytesPerMsg, err = bench.HeldMemory(ctx, rdb, cmp, "held-compact", cfg.heldPairs, cfg.heldPerPair); err != nil {
		return res, err
	}
	return res, nil
}

func (c compactResult) rows(row func(k, v string)) {
	n := float64(c.events)
	for _, r := range []struct {
		name string
		s    storeRun
	}{{"state.Redis (apply.lua)", c.redis}, {"compact prototype (bench/compact.lua)", c.compact}} {
		row(fmt.Sprintf("store alone, %s", r.name), fmt.Sprintf("%.0f events/s, %.1f µs Redis CPU/event, %.1f commands/event, %.0f bytes/held message",
			n/r.s.elapsed.Seconds(), r.s.redisCPU/n*1e6, float64(r.s.commands)/n, r.s.heldBytesPerMsg))
	}
	row("compact vs state.Redis", fmt.Sprintf("%.1f× the rate; %d of %d Streaks differ",
		c.redis.elapsed.Seconds()/c.compact.elapsed.Seconds(), c.mismatches, c.events))
}
