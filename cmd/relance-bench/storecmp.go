package main

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// storeRun is the store's figures over a workload's observations, without Kafka.
type storeRun struct {
	events          int
	elapsed         time.Duration
	redisCPU        float64 // seconds
	commands        int64
	heldBytesPerMsg float64
}

// measureStore applies cfg.storeCheck workload observations, in batches of 1000, to
// state.Redis alone, and measures its rate, Redis CPU, commands and memory per event.
func measureStore(ctx context.Context, rdb *redis.Client, cfg config) (storeRun, error) {
	store, err := state.New(ctx, rdb, policy.Default(), state.Config{KeyPrefix: "store-alone"})
	if err != nil {
		return storeRun{}, err
	}
	w := bench.NewWorkload(bench.WorkloadConfig{Seed: cfg.seed + 2000, Step: time.Millisecond,
		Start: time.Now().Add(-time.Duration(cfg.storeCheck)*time.Millisecond - time.Hour)})
	obs := make([]policy.Observation, cfg.storeCheck)
	for i := range obs {
		obs[i] = w.Next().Observation
	}
	before, err := bench.Info(ctx, rdb)
	if err != nil {
		return storeRun{}, err
	}
	start := time.Now()
	for i := 0; i < len(obs); i += 1000 {
		if _, err := store.Apply(ctx, obs[i:min(i+1000, len(obs))]); err != nil {
			return storeRun{}, err
		}
	}
	res := storeRun{events: len(obs), elapsed: time.Since(start)}
	after, err := bench.Info(ctx, rdb)
	if err != nil {
		return storeRun{}, err
	}
	res.redisCPU, res.commands = after.CPU-before.CPU, after.TotalCommands()-before.TotalCommands()
	if res.heldBytesPerMsg, err = bench.HeldMemory(ctx, rdb, store, "held-store", cfg.heldPairs, cfg.heldPerPair); err != nil {
		return res, err
	}
	return res, nil
}

func (r storeRun) rows(row func(k, v string)) {
	n := float64(r.events)
	row("store alone, state.Redis", fmt.Sprintf("%.0f events/s, %.1f µs Redis CPU/event, %.1f commands/event, %.0f bytes/held message",
		n/r.elapsed.Seconds(), r.redisCPU/n*1e6, float64(r.commands)/n, r.heldBytesPerMsg))
}
