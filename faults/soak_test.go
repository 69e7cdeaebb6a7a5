package faults_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/faults"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/topics"
)

// TestSoak runs relance for RELANCE_SOAK (a duration; 10m or more for a meaningful soak)
// at a steady rate over a fixed population of pairs, and prints every 30 s the relance
// process's RSS and goroutines, Redis memory and keys, and the consumer lag. Event time
// runs 3600 times faster than the wall clock, starting 30 days back, so windows slide and
// per-pair state reaches its steady size within minutes; then nothing should grow.
//
//	RELANCE_SOAK=10m RELANCE_FAULTS=1 go test -run TestSoak -v -timeout 30m ./faults/
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("RELANCE_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("soak: set RELANCE_SOAK to a duration (and RELANCE_FAULTS=1) to run it")
	}
	needScenarios(t)
	const (
		pairs      = 2000
		rate       = 500 // events per second
		speedup    = 3600
		reportTick = 30 * time.Second
	)
	ctx, cancel := context.WithTimeout(context.Background(), d+5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	names := topics.Names{}.WithDefaults()
	broker, err := faults.NewBroker(bins.broker, filepath.Join(dir, "broker"), 3, names.All())
	if err != nil {
		t.Fatal(err)
	}
	if err := broker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = broker.Stop() })
	server, _ := exec.LookPath("redis-server")
	rs, err := faults.NewRedis(server, filepath.Join(dir, "redis"), false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rs.Stop() })
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	t.Cleanup(func() { rdb.Close() })
	client, done := testenv.NewClient(broker.Addr())
	t.Cleanup(done)
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(port)
	rl := faults.NewRelance(bins.relance, dir, []string{broker.Addr()}, []string{rs.Addr()}, "relance-soak",
		"RELANCE_HTTP_ADDR="+httpAddr, "RELANCE_LOG_LEVEL=warn")
	p, err := rl.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)

	rng := rand.New(rand.NewPCG(9, 9))
	simStart := time.Now().Add(-30 * 24 * time.Hour)
	wallStart := time.Now()
	unanswered := make([]int, pairs) // messages a→b since b last answered, to keep streaks varied
	produced, n := 0, 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	report := time.NewTicker(reportTick)
	defer report.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	var first, last soakSample
	for {
		select {
		case <-end.C:
			if _, err := testenv.WaitCaughtUp(ctx, client, "relance-soak", names.Inputs()...); err != nil {
				t.Fatal(err)
			}
			last = sample(ctx, t, httpAddr, rdb, client, p.Pid())
			t.Logf("end: %s", last)
			t.Logf("growth from the first sample at %s: rss %+.1f MiB, goroutines %+d, redis %+.1f MiB, keys %+d",
				reportTick, float64(last.rss-first.rss)/(1<<20), last.goroutines-first.goroutines,
				float64(last.redisMem-first.redisMem)/(1<<20), last.keys-first.keys)
			if p.Exited() {
				t.Errorf("relance exited during the soak")
			}
			return
		case <-report.C:
			s := sample(ctx, t, httpAddr, rdb, client, p.Pid())
			if first.rss == 0 {
				first = s
			}
			t.Logf("t=%s produced=%d %s", time.Since(wallStart).Round(time.Second), produced, s)
		case <-tick.C:
			var recs []faults.Record
			for range rate / 10 {
				n++
				i := rng.IntN(pairs)
				at := simStart.Add(time.Since(wallStart) * speedup)
				from, to := fmt.Sprintf("soak-%d-a", i), fmt.Sprintf("soak-%d-b", i)
				if unanswered[i] >= 1+rng.IntN(14) {
					from, to = to, from
					unanswered[i] = 0
				} else {
					unanswered[i]++
				}
				v, _ := json.Marshal(topics.MessageSent{MessageID: fmt.Sprintf("soak-m-%d", n), SenderID: from, RecipientID: to, SentAt: at, Locale: "fr"})
				recs = append(recs, faults.Record{Topic: names.MessageSent, Key: []byte(fmt.Sprintf("soak-pair-%d", i)), Value: v})
			}
			if err := faults.Produce(ctx, []string{broker.Addr()}, recs, len(recs)); err != nil {
				t.Fatal(err)
			}
			produced += len(recs)
		}
	}
}

type soakSample struct {
	rss, redisMem    int64
	goroutines, keys int
	lag              int64
}

func (s soakSample) String() string {
	return fmt.Sprintf("rss=%.1fMiB goroutines=%d redis_used_memory=%.1fMiB redis_keys=%d lag=%d",
		float64(s.rss)/(1<<20), s.goroutines, float64(s.redisMem)/(1<<20), s.keys, s.lag)
}

func sample(ctx context.Context, t *testing.T, httpAddr string, rdb *redis.Client, client *kafka.Client, pid int) soakSample {
	var s soakSample
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				s.rss = kb << 10
			}
		}
	}
	if resp, err := http.Get("http://" + httpAddr + "/metrics"); err == nil {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
				s.goroutines, _ = strconv.Atoi(v)
			}
		}
		resp.Body.Close()
	} else {
		t.Logf("metrics: %v", err)
	}
	if info, err := rdb.Info(ctx, "memory").Result(); err == nil {
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
				s.redisMem, _ = strconv.ParseInt(v, 10, 64)
			}
		}
	}
	if k, err := rdb.DBSize(ctx).Result(); err == nil {
		s.keys = int(k)
	}
	if lag, err := testenv.Lag(ctx, client, "relance-soak", topics.Names{}.WithDefaults().Inputs()...); err == nil {
		s.lag = lag
	}
	return s
}
