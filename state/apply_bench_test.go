package state_test

import (
	"context"
	"strconv"
	"strings"
	"syscall"
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
// time per observation: Redis's work, the round trips and the Go side. cpu-ns/event is
// this process's CPU time (every thread, the garbage collector's too) during Apply,
// which a loaded machine changes less than the wall time.
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
			cpu0 := redisCPU(b, rdb)
			var cpu time.Duration
			b.ReportAllocs()
			for b.Loop() {
				for i := range batch {
					batch[i] = w.Next().Observation
				}
				start := processCPU(b)
				if _, err := store.Apply(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
				cpu += processCPU(b) - start
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/event")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*size), "cpu-ns/event")
			b.ReportMetric((redisCPU(b, rdb)-cpu0).Seconds()*1e9/float64(b.N*size), "redis-ns/event")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// processCPU is the CPU time this process has used (user and system, every thread).
func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// redisCPU is the CPU time redis-server has used (INFO cpu: user and system).
func redisCPU(b *testing.B, rdb *redis.Client) time.Duration {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_user" || k == "used_cpu_sys") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

// BenchmarkRedisFlood is BenchmarkRedisApply/batch=1000 with one member flooding another:
// 20,000 messages a second apart to one pair, in batches of 1000, on a real redis-server.
// bytes is the largest value stored. Compare ns/event with BenchmarkRedisApply/batch=1000
// (ordinary traffic over thousands of pairs).
func BenchmarkRedisFlood(b *testing.B) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(b)})
	b.Cleanup(func() { _ = rdb.Close() })
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const events, size = 20_000, 1000
	batch := make([]policy.Observation, size)
	run := 0
	for b.Loop() {
		run++
		store, err := state.New(context.Background(), rdb, policy.Default(), state.Config{KeyPrefix: "flood" + strconv.Itoa(run)})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < events; i += size {
			for k := range batch {
				batch[k] = policy.Observation{Action: policy.ActionMessage, MessageID: "flood-" + strconv.Itoa(i+k),
					SenderID: "alice", RecipientID: "bob", SentAt: start.Add(time.Duration(i+k) * time.Second)}
			}
			if _, err := store.Apply(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
	b.ReportMetric(0, "ns/op")
	var largest int64
	keys, err := rdb.Keys(context.Background(), "*").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range keys {
		if n, err := rdb.StrLen(context.Background(), k).Result(); err == nil {
			largest = max(largest, n)
		}
	}
	b.ReportMetric(float64(largest), "bytes")
}
