package faults_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/faults"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// The scenarios run only with RELANCE_FAULTS set: "short" is the CI variant, anything else
// the full one. They need redis-server and redis-cli on PATH and the Go toolchain (to build
// relance and kfake-broker).
const envFaults = "RELANCE_FAULTS"

// bins are the binaries the scenarios run, built once by TestMain.
var bins struct{ relance, broker string }

func TestMain(m *testing.M) {
	code := func() int {
		if os.Getenv(envFaults) == "" {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "relance-faults-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := filepath.Abs("..")
		if err == nil {
			bins.relance, bins.broker, err = faults.Build(ctx, root, dir)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "build:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// full reports whether the full variant runs (else the short, CI one).
func full() bool { return os.Getenv(envFaults) != "short" }

// pick returns the full or the short variant of a setting.
func pick[T any](fullValue, shortValue T) T {
	if full() {
		return fullValue
	}
	return shortValue
}

// needScenarios skips a scenario unless RELANCE_FAULTS is set, and skips (or fails, with
// CI set) without redis-server and redis-cli.
func needScenarios(t *testing.T) {
	t.Helper()
	if os.Getenv(envFaults) == "" {
		t.Skip("fault scenario: set RELANCE_FAULTS=short (CI variant) or RELANCE_FAULTS=1 (full) to run it; see docs/RELIABILITY.md")
	}
	if !full() {
		// The short variant's scenarios spend most of their time waiting (a consumer group
		// session timeout after each kill -9): run them side by side.
		t.Parallel()
	}
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			msg := bin + " not found on PATH: install it (apt-get install redis-server) to run the fault scenarios"
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// rig is one scenario's processes: a broker, Redis (one server or a cluster), relance
// processes, and the workload.
type rig struct {
	t      *testing.T
	ctx    context.Context
	dir    string
	names  topics.Names
	group  string
	broker *testenv.Broker
	redis  []*testenv.RedisServer
	// sentinel watches redis[0] (the master) and redis[1] (its replica), with sentinel set.
	sentinel *testenv.Sentinel
	rdb      redis.UniversalClient
	relance  *faults.Relance
	rng      *rand.Rand
	start    time.Time

	mu    sync.Mutex
	procs []*testenv.Process // every relance process started, killed at cleanup

	instances  int // relance processes the scenario runs at once
	work       faults.Workload
	recoveries []time.Duration
}

type rigOptions struct {
	aof          bool
	cluster      bool
	sentinel     bool // a master, a replica and a Sentinel; relance asks the Sentinel
	brokerLater  bool // do not start the broker: the scenario does
	pairs        int
	instances    int // relance processes at once; default 1
	seed         uint64
	relanceExtra []string
}

func newRig(t *testing.T, opts rigOptions) *rig {
	t.Helper()
	needScenarios(t)
	ctx, cancel := context.WithTimeout(context.Background(), pick(25*time.Minute, 6*time.Minute))
	t.Cleanup(cancel)
	dir := t.TempDir()
	if os.Getenv("RELANCE_FAULTS_KEEP") != "" {
		var err error
		if dir, err = os.MkdirTemp("", "relance-faults-"+t.Name()+"-"); err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{
		t:         t,
		ctx:       ctx,
		dir:       dir,
		names:     topics.Names{}.WithDefaults(),
		group:     "relance-faults",
		rng:       rand.New(rand.NewPCG(opts.seed, 1)),
		start:     time.Now(),
		instances: max(opts.instances, 1),
	}
	if os.Getenv("RELANCE_FAULTS_KEEP") != "" {
		t.Logf("logs in %s (kept)", dir)
	}
	var err error
	r.broker, err = faults.NewBroker(bins.broker, filepath.Join(dir, "broker"), 3, r.names.All())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.broker.Stop() })
	if !opts.brokerLater {
		r.startBroker()
	}

	server, _ := exec.LookPath("redis-server")
	nodes := 1
	if opts.cluster {
		nodes = 3
	}
	var addrs []string
	for i := range nodes {
		s, err := faults.NewRedis(server, filepath.Join(dir, "redis-"+strconv.Itoa(i)), opts.aof, opts.cluster)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop() })
		r.redis = append(r.redis, s)
		addrs = append(addrs, s.Addr())
	}
	relanceEnv := opts.relanceExtra
	switch {
	case opts.cluster:
		if err := testenv.CreateRedisCluster(ctx, r.redis); err != nil {
			t.Fatal(err)
		}
		r.rdb = redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	case opts.sentinel:
		r.startSentinel(server)
		addrs = []string{r.sentinel.Addr()}
		r.rdb = redis.NewFailoverClient(&redis.FailoverOptions{MasterName: sentinelMaster, SentinelAddrs: addrs})
		relanceEnv = append(relanceEnv, "RELANCE_REDIS_SENTINEL_MASTER="+sentinelMaster)
	default:
		r.rdb = redis.NewClient(&redis.Options{Addr: addrs[0]})
	}
	t.Cleanup(func() { r.rdb.Close() })

	r.relance = faults.NewRelance(bins.relance, dir, []string{r.broker.Addr()}, addrs, r.group, relanceEnv...)
	// Registered last, so it runs first: relance processes stop before Redis and the broker.
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, p := range r.procs {
			p.Kill()
		}
	})

	pairs := opts.pairs
	if pairs == 0 {
		pairs = pick(300, 60)
	}
	r.work = faults.Generate(faults.WorkloadConfig{Seed: opts.seed, Pairs: pairs, BadRate: 0.05, Topics: r.names}, policy.Default())
	t.Logf("workload seed %d: %s", opts.seed, r.work.Ledger.Summary())
	return r
}

// sentinelMaster is the master's name under Sentinel.
const sentinelMaster = "relance"

// startSentinel starts a replica of redis[0] and a Sentinel watching both, on stable ports.
func (r *rig) startSentinel(server string) {
	r.t.Helper()
	port, err := faults.StablePort()
	if err != nil {
		r.t.Fatal(err)
	}
	replica, err := testenv.NewRedisServer(testenv.RedisConfig{Bin: server, Dir: filepath.Join(r.dir, "redis-replica"), Port: port, ReplicaOf: r.redis[0].Addr()})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := replica.Start(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = replica.Stop() })
	r.redis = append(r.redis, replica)
	if port, err = faults.StablePort(); err != nil {
		r.t.Fatal(err)
	}
	r.sentinel, err = testenv.NewSentinel(testenv.SentinelConfig{Bin: server, Dir: filepath.Join(r.dir, "sentinel"), Port: port,
		MasterName: sentinelMaster, Master: r.redis[0].Addr(), Replicas: 1})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.sentinel.Start(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = r.sentinel.Stop() })
}

func (r *rig) startBroker() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	if err := r.broker.Start(ctx); err != nil {
		r.t.Fatal(err)
	}
}

// startRelance starts one more relance process.
func (r *rig) startRelance() *testenv.Process {
	r.t.Helper()
	p, err := r.relance.Start()
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.procs = append(r.procs, p)
	r.mu.Unlock()
	return p
}

// produce writes the records [from, to) of the workload.
func (r *rig) produce(from, to int) {
	r.t.Helper()
	r.produceChunked(from, to, 500)
}

// produceChunked writes the records [from, to) of the workload, chunk per call. It may run
// on another goroutine than the test's: it reports errors with Error, not Fatal.
func (r *rig) produceChunked(from, to, chunk int) {
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Minute)
	defer cancel()
	if err := faults.Produce(ctx, []string{r.broker.Addr()}, r.work.Records[from:to], chunk); err != nil {
		r.t.Error(err)
	}
}

// drain waits until the group has committed everything produced, and returns how long it took.
func (r *rig) drain(timeout time.Duration) time.Duration {
	r.t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	client, done := testenv.NewClient(r.broker.Addr())
	defer done()
	if _, err := testenv.WaitCaughtUp(ctx, client, r.group, r.names.Inputs()...); err != nil {
		r.t.Fatalf("%v; relance logs:%s", err, logsOf(r.dir))
	}
	return time.Since(start)
}

// members returns the group's member ids now.
func (r *rig) members() []string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	ids, err := faults.GroupMembers(ctx, []string{r.broker.Addr()}, r.group)
	if err != nil {
		r.t.Fatalf("group members: %v", err)
	}
	return ids
}

// recovered records the time from a fault's end to the group having caught up.
func (r *rig) recovered(since time.Time) {
	r.recoveries = append(r.recoveries, time.Since(since))
}

// report drains the group, checks the outputs against the ledger and logs the checker's
// printout; it fails the test if a promise was broken and check is true.
func (r *rig) report(scenario string, enforce bool) faults.Report {
	r.t.Helper()
	r.drain(pick(5*time.Minute, 3*time.Minute))
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Minute)
	defer cancel()
	rep, err := faults.Check(ctx, []string{r.broker.Addr()}, r.names, r.work, r.rdb)
	if err != nil {
		r.t.Fatal(err)
	}
	rep.Scenario = scenario
	rep.Restarts = max(r.relance.Started()-r.instances, 0)
	rep.Recoveries = r.recoveries
	rep.Elapsed = time.Since(r.start)
	r.t.Log("\n" + rep.String())
	if path := os.Getenv("RELANCE_FAULTS_REPORT"); path != "" {
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			fmt.Fprintf(f, "%s\n", rep)
			f.Close()
		}
	}
	if err := rep.Err(); err != nil && enforce {
		r.t.Errorf("%s: %v (logs in %s)", scenario, err, r.dir)
	}
	return rep
}

// randomDelay waits a random time in [0, d), or until the scenario's deadline.
func (r *rig) randomDelay(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(r.rng.Int64N(int64(d))))
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
	}
}

// pause waits d, or until the scenario's deadline: the length of an outage, not a
// synchronisation.
func (r *rig) pause(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
	}
}

// chunks splits the workload's records into n consecutive ranges.
func (r *rig) chunks(n int) [][2]int {
	total := len(r.work.Records)
	var out [][2]int
	for i := range n {
		out = append(out, [2]int{total * i / n, total * (i + 1) / n})
	}
	return out
}

// logsOf names the scenario's relance logs and quotes the end of each: CI removes the
// test's directory, so a failure must carry what the logs said.
func logsOf(dir string) string {
	const tailLines = 12
	matches, _ := filepath.Glob(filepath.Join(dir, "relance-*.log"))
	var b strings.Builder
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			fmt.Fprintf(&b, "\n%s: %v", m, err)
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		fmt.Fprintf(&b, "\n--- %s, last %d of %d lines:\n%s", m, min(tailLines, len(lines)), len(lines),
			strings.Join(lines[max(0, len(lines)-tailLines):], "\n"))
	}
	return b.String()
}

// logCount counts the lines of every relance log of the scenario that contain s.
func (r *rig) logCount(s string) int {
	matches, _ := filepath.Glob(filepath.Join(r.dir, "relance-*.log"))
	n := 0
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		n += strings.Count(string(data), s)
	}
	return n
}

// waitStable waits until the group is stable with n members.
func (r *rig) waitStable(n int, before ...string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Minute)
	defer cancel()
	if err := faults.WaitGroupStable(ctx, []string{r.broker.Addr()}, r.group, n, before); err != nil {
		r.t.Fatalf("%v; relance logs:%s", err, logsOf(r.dir))
	}
}
