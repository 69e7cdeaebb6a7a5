package state_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// BenchmarkRedisApply applies batches of the bench workload's observations to a real
// redis-server, two round trips per batch, as the processor does. ns/event is the wall
// time per observation: Redis's work, the round trips and the Go side.
func BenchmarkRedisApply(b *testing.B) {
	for _, size := range []int{1, 100, 1000} {
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(b)})
			b.Cleanup(func() { _ = rdb.Close() })
			store, err := state.New(context.Background(), rdb, policy.Default(), state.Config{KeyPrefix: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			w := bench.NewWorkload(bench.WorkloadConfig{Seed: 1, Start: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)})
			batch := make([]policy.Observation, size)
			b.ReportAllocs()
			for b.Loop() {
				for i := range batch {
					batch[i] = w.Next().Observation
				}
				if _, err := store.Apply(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/event")
			b.ReportMetric(0, "ns/op")
		})
	}
}
