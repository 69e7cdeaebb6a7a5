package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/gctune"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

type config struct {
	n           int
	seed        uint64
	naiveN      int
	naiveLimit  time.Duration
	latency     time.Duration
	brokerBin   string
	partitions  int
	cpuProfile  string
	memProfile  string
	brokers     string
	produceRate float64
	timeout     time.Duration
	heldPairs   int
	heldPerPair int
	storeCheck  int
	latencyRate float64
	probe       bool
	probeHere   bool
	latencyOnly bool
	save        string
	before      string
	brokerGOGC  string
	// shadowPolicy is a policy file phase a decides beside the default, to measure its cost.
	shadowPolicy string
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("relance-bench", flag.ContinueOnError)
	fs.IntVar(&c.n, "n", 1_000_000, "events to preload and process")
	fs.Uint64Var(&c.seed, "seed", 1, "workload seed")
	fs.IntVar(&c.naiveN, "naive-n", 20_000, "events the naive design handles (its rate is extrapolated)")
	fs.DurationVar(&c.naiveLimit, "naive-limit", time.Minute, "longest the naive design runs")
	fs.DurationVar(&c.latency, "latency", 10*time.Second, "how long to produce at 50% of relance's rate for the latency figures")
	fs.StringVar(&c.brokerBin, "broker-bin", "", "kfake-broker binary to run the broker as its own process (empty: kfake in this process)")
	fs.IntVar(&c.partitions, "partitions", 3, "partitions per topic")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of relance's run (phase a; with -latency-only, phase d) to this file")
	fs.StringVar(&c.memProfile, "memprofile", "", "write an allocation profile of relance's run (phase a; with -latency-only, phase d) to this file")
	fs.StringVar(&c.brokers, "brokers", "", "load generator mode: comma-separated brokers to produce to")
	fs.Float64Var(&c.produceRate, "produce-rate", 0, "load generator mode: events per second (0: as fast as possible)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Minute, "give up after this long")
	fs.Float64Var(&c.latencyRate, "latency-rate", 0, "events per second of the latency phase (0: 50% of relance's measured rate)")
	fs.BoolVar(&c.probe, "latency-probe", false, "latency probe mode: produce to -brokers at -latency-rate for -latency, print the latencies as JSON")
	fs.BoolVar(&c.probeHere, "latency-in-process", false, "run the latency phase's producer and nudge reader in relance's process instead of a process of their own")
	fs.IntVar(&c.heldPairs, "held-pairs", 2000, "pairs for the Redis memory measurement")
	fs.IntVar(&c.heldPerPair, "held-per-pair", 10, "unanswered messages per pair for the Redis memory measurement")
	fs.StringVar(&c.shadowPolicy, "shadow-policy", "", "policy file phase a decides as a shadow policy beside the default one (RELANCE_SHADOW_POLICY_FILE), to measure its cost")
	fs.IntVar(&c.storeCheck, "store-check", 200_000, "events of the store-alone measure (0: skip)")
	fs.StringVar(&c.save, "save", "", "write this run's headline figures to this file (JSON), for a later -before")
	fs.StringVar(&c.before, "before", "", "a -save file of the run to compare with (the start, on this machine): adds before/after rows and the CPU targets")
	fs.BoolVar(&c.latencyOnly, "latency-only", false, "run the latency phase (d) alone, at -latency-rate")
	fs.StringVar(&c.brokerGOGC, "broker-gogc", "", "GOGC of the -broker-bin process (empty: the Go runtime's default, 100)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.latencyOnly && c.latencyRate <= 0 {
		return c, errors.New("-latency-only needs a positive -latency-rate")
	}
	if c.brokerGOGC != "" && c.brokerBin == "" {
		return c, errors.New("-broker-gogc needs -broker-bin")
	}
	if c.probe && (c.brokers == "" || c.latencyRate <= 0) {
		return c, errors.New("-latency-probe needs -brokers and a positive -latency-rate")
	}
	if c.n < 1 || c.naiveN < 1 || c.partitions < 1 {
		return c, errors.New("-n, -naive-n and -partitions must be positive")
	}
	return c, nil
}

func run(ctx context.Context, args []string) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if cfg.brokers != "" && cfg.probe {
		l, err := bench.MeasureLatency(ctx, strings.Split(cfg.brokers, ","), cfg.seed, cfg.latencyRate, cfg.latency)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(l)
	}
	if cfg.brokers != "" {
		return generate(ctx, cfg)
	}
	return measure(ctx, cfg, os.Stdout)
}

// generate is the load generator mode.
func generate(ctx context.Context, cfg config) error {
	brokers := strings.Split(cfg.brokers, ",")
	if cfg.produceRate <= 0 {
		w := bench.NewWorkload(bench.WorkloadConfig{Seed: cfg.seed, Step: time.Millisecond,
			Start: time.Now().Add(-time.Duration(cfg.n)*time.Millisecond - time.Hour)})
		took, err := bench.Preload(ctx, brokers, w, cfg.n)
		if err != nil {
			return err
		}
		fmt.Printf("produced %d events in %s (%.0f/s)\n", cfg.n, took.Round(time.Millisecond), float64(cfg.n)/took.Seconds())
		return nil
	}
	n, took, err := bench.Produce(ctx, brokers, cfg.seed, cfg.produceRate, cfg.n)
	fmt.Printf("produced %d events in %s (%.0f/s)\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
	return err
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// measure runs every phase and prints the table to out.
func measure(ctx context.Context, cfg config, out io.Writer) (err error) {
	names := topics.Names{}.WithDefaults()
	floorOut, naiveOut := "bench-floor-out", "bench-naive-out"
	// The naive design reads a copy of the workload's first events from topics of its own.
	naiveIn := topics.Names{MessageSent: "bench-naive-message-sent", Reply: "bench-naive-reply",
		MemberAction: "bench-naive-member-action"}
	dir, err := os.MkdirTemp("", "relance-bench-redis")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	redisSrv, err := testenv.NewRedisServer(testenv.RedisConfig{Dir: dir})
	if err != nil {
		return err
	}
	if err := withStartTimeout(ctx, redisSrv.Start); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, redisSrv.Stop()) }()
	if cfg.latencyOnly {
		return latencyOnly(ctx, cfg, redisSrv.Addr(), out)
	}
	broker, err := startBroker(ctx, cfg, append(names.All(), floorOut, naiveOut, naiveIn.MessageSent, naiveIn.Reply, naiveIn.MemberAction)...)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, broker.Stop()) }()
	brokers := []string{broker.Addr()}
	rdb := redis.NewClient(&redis.Options{Addr: redisSrv.Addr()})
	defer rdb.Close()
	client, closeClient := testenv.NewClient(brokers...)
	defer closeClient()
	logf("redis-server %s, broker %s (pid %d; 0 = in this process)", redisSrv.Addr(), broker.Addr(), broker.Process().Pid())

	// Preload, and a copy of the first events for the naive design.
	wcfg := bench.WorkloadConfig{Seed: cfg.seed, Step: time.Millisecond,
		Start: time.Now().Add(-time.Duration(cfg.n)*time.Millisecond - time.Hour)}
	took, err := bench.Preload(ctx, brokers, bench.NewWorkload(wcfg), cfg.n)
	if err != nil {
		return err
	}
	naiveN := min(cfg.naiveN, cfg.n)
	if _, err := bench.PreloadTo(ctx, brokers, bench.NewWorkload(wcfg), naiveN, naiveIn); err != nil {
		return err
	}
	logf("preloaded %d events in %s (%.0f/s)", cfg.n, took.Round(time.Millisecond), float64(cfg.n)/took.Seconds())

	// a. relance, with the collector's pace cmd/relance sets (this process's other
	// phases, the floor and the naive design, run at the same pace).
	var t table
	t.n = cfg.n
	t.gogc = gctune.Default(os.Getenv)
	bench.ResetPeakRSS()
	info0, err := bench.Info(ctx, rdb)
	if err != nil {
		return err
	}
	// relance's start-up (compiling the text check's lists, once per process) is not
	// per-event work: done here, before the CPU is counted, relance's own is instant.
	if _, err := content.New(content.Config{}); err != nil {
		return err
	}
	cpu0, brokerCPU0 := bench.SelfCPU(), broker.Process().CPUSeconds()
	stopProfile, err := bench.Profile(cfg.cpuProfile, cfg.memProfile)
	if err != nil {
		return err
	}
	log, _ := zap.NewProduction(zap.IncreaseLevel(zap.WarnLevel))
	var opts []processor.Option
	if cfg.shadowPolicy != "" {
		shadow, err := policy.Load(cfg.shadowPolicy)
		if err != nil {
			return fmt.Errorf("-shadow-policy: %w", err)
		}
		opts = append(opts, processor.WithShadowPolicy(shadow))
		t.shadow = shadow.Version()
	}
	rel, err := bench.StartRelance(ctx, brokers, rdb.Options().Addr, "relance-bench", log, opts...)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			err = errors.Join(err, rel.Stop())
		}
	}()
	end, err := testenv.WaitCaughtUp(ctx, client, rel.Group, names.Inputs()...)
	if err != nil {
		return fmt.Errorf("relance did not catch up: %w", err)
	}
	if err := stopProfile(); err != nil {
		return err
	}
	t.relance = bench.Result{Events: int64(cfg.n), Elapsed: end.Sub(rel.Store.First())}
	t.relanceCPU = bench.SelfCPU() - cpu0
	t.brokerCPU = broker.Process().CPUSeconds() - brokerCPU0
	t.peakRSS = bench.PeakRSS()
	info1, err := bench.Info(ctx, rdb)
	if err != nil {
		return err
	}
	t.redisCPU = info1.CPU - info0.CPU
	t.roundTrips = rel.Store.RoundTrips.Load()
	t.commands = info1.TotalCommands() - info0.TotalCommands()
	t.clientCommands = info1.Commands["evalsha"] - info0.Commands["evalsha"]
	outputs, err := testenv.EndOffsets(ctx, client, names.CoachNudge, names.ModerationAlert, names.DeadLetter)
	if err != nil {
		return err
	}
	t.outputs = outputs.Sum()
	if t.relanceStages, err = bench.Stages(rel.Metrics); err != nil {
		return err
	}
	logf("a. relance calls: %s", rel.Calls().Since(nil))
	logf("a. relance: %d events in %s (%.0f/s), %d outputs", cfg.n, t.relance.Elapsed.Round(time.Millisecond), t.relance.Rate(), t.outputs)
	if t.shadow != "" {
		t.shadowDecisions = rel.ShadowDecisions()
		logf("a. shadow policy %s: %d decisions counted, none published", t.shadow, t.shadowDecisions)
	}
	stopped = true
	if err := rel.Stop(); err != nil {
		return fmt.Errorf("relance: %w", err)
	}

	// b. the I/O floor, over the same events.
	t.floor, err = bench.Floor(ctx, brokers, int64(cfg.n), float64(t.outputs)/float64(cfg.n), floorOut)
	if err != nil {
		return err
	}
	logf("b. floor: %.0f/s", t.floor.Rate())

	// c. the naive design, on a subset.
	t.naive, err = bench.Naive(ctx, brokers, naiveIn, rdb, int64(naiveN), cfg.naiveLimit, naiveOut)
	if err != nil {
		return err
	}
	logf("c. naive: %d events in %s (%.0f/s)", t.naive.Events, t.naive.Elapsed.Round(time.Millisecond), t.naive.Rate())

	// d. latency at 50% of a's rate.
	rate := cfg.latencyRate
	if rate <= 0 {
		rate = t.relance.Rate() / 2
	}
	if t.latency, err = measureLatency(ctx, cfg, rdb, log, rate); err != nil {
		return err
	}
	// and at 25%, where the machine is less busy: how the tail grows with the load.
	if cfg.latencyRate <= 0 {
		if t.latencyQuarter, err = measureLatency(ctx, cfg, rdb, log, rate/2); err != nil {
			return err
		}
	}
	// and at 50% again with the stand-in broker's collector off: kfake holds every record
	// in its Go heap, and its collections, marking a heap that grows by the records
	// produced, match the slowest episodes of the tail (docs/BENCHMARKS.md); a Kafka broker
	// keeps its records on disk and in the page cache.
	if cfg.brokerBin != "" && cfg.brokerGOGC == "" {
		gcOff := cfg
		gcOff.brokerGOGC = "off"
		if t.latencyBrokerGCOff, err = measureLatency(ctx, gcOff, rdb, log, rate); err != nil {
			return err
		}
	}

	// e. Redis memory per held message.
	if t.heldBytes, err = heldMemory(ctx, rdb, cfg); err != nil {
		return err
	}

	// The store alone.
	if cfg.storeCheck > 0 {
		if t.store, err = measureStore(ctx, rdb, cfg); err != nil {
			return err
		}
	}

	var before *figures
	if cfg.before != "" {
		if before, err = loadFigures(cfg.before); err != nil {
			return fmt.Errorf("-before: %w", err)
		}
	}
	t.print(out, cfg, broker.Process() != nil, before)
	if cfg.save != "" {
		return saveFigures(cfg.save, t.figures())
	}
	return nil
}

// serverStartTimeout bounds a server's start: one that hangs should not wait out -timeout.
const serverStartTimeout = 15 * time.Second

func withStartTimeout(ctx context.Context, start func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, serverStartTimeout)
	defer cancel()
	return start(ctx)
}

// startBroker starts a broker with topicNames: the -broker-bin binary as a process of its
// own (so that the broker's CPU and memory are not counted as relance's), or kfake in this
// process.
func startBroker(ctx context.Context, cfg config, topicNames ...string) (*testenv.Broker, error) {
	bc := testenv.BrokerConfig{Bin: cfg.brokerBin, Partitions: cfg.partitions, Topics: topicNames}
	if cfg.brokerGOGC != "" {
		bc.Env = []string{"GOGC=" + cfg.brokerGOGC}
		if cfg.brokerGOGC == "off" {
			bc.Env = append(bc.Env, "GOMEMLIMIT=8GiB") // collected only should its heap reach that
		}
	}
	b := testenv.NewBroker(bc)
	if err := withStartTimeout(ctx, b.Start); err != nil {
		return nil, err
	}
	return b, nil
}

// measureLatency is phase d: relance on a broker of its own, started empty, while
// records are produced at rate. kfake keeps every record in its Go heap: with the 2 M
// records of the phases before, each of its garbage collections stalls every client
// for up to ~100 ms (docs/BENCHMARKS.md), which a Kafka broker, whose records live on
// disk and in the page cache, does not do.
func measureLatency(ctx context.Context, cfg config, rdb *redis.Client, log *zap.Logger, rate float64) (l bench.Latency, err error) {
	broker, err := startBroker(ctx, cfg, topics.Names{}.WithDefaults().All()...)
	if err != nil {
		return l, err
	}
	defer func() { err = errors.Join(err, broker.Stop()) }()
	brokers := []string{broker.Addr()}
	runtime.GC() // the garbage of the phases before is not relance's
	rel, err := bench.StartRelance(ctx, brokers, rdb.Options().Addr, "relance-bench", log)
	if err != nil {
		return l, err
	}
	defer func() { err = errors.Join(err, rel.Stop()) }()
	meter := &coreMeter{rdb: rdb, broker: broker.Process()}
	start, err := meter.read(ctx)
	if err != nil {
		return l, err
	}
	sampled := make(chan cpuReading, 1)
	sample := time.AfterFunc(cfg.latency, func() {
		if r, err := meter.read(ctx); err == nil {
			sampled <- r
		}
	})
	defer sample.Stop()
	if cfg.probeHere {
		l, err = bench.MeasureLatency(ctx, brokers, cfg.seed+1000, rate, cfg.latency)
	} else {
		l, err = probeLatency(ctx, brokers, cfg.seed+1000, rate, cfg.latency, meter.probePid.Store)
	}
	if err != nil {
		return l, err
	}
	select {
	case end := <-sampled:
		l.Cores = start.coresUntil(end)
	default: // the probe ended before its span: no figure rather than a wrong one
	}
	if l.Stages, err = bench.Stages(rel.Metrics); err != nil {
		return l, err
	}
	logf("d. relance calls: %s", rel.Calls().Since(nil))
	logf("d. latency at %.0f/s: %d nudges, p50 %s p99 %s max %s", l.Rate, l.Nudges, l.P50, l.P99, l.Max)
	return l, nil
}

// latencyOnly is the -latency-only run: phase d alone, and its rows of the table.
func latencyOnly(ctx context.Context, cfg config, redisAddr string, out io.Writer) error {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	gctune.Default(os.Getenv)
	log, _ := zap.NewProduction(zap.IncreaseLevel(zap.WarnLevel))
	stopProfile, err := bench.Profile(cfg.cpuProfile, cfg.memProfile) // relance's, in phase d
	if err != nil {
		return err
	}
	l, err := measureLatency(ctx, cfg, rdb, log, cfg.latencyRate)
	if err = errors.Join(err, stopProfile()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	latencyRows(tw, l, "-latency-rate")
	return tw.Flush()
}

// probeLatency runs the latency phase's producer and nudge reader in a process of their
// own (this binary with -latency-probe), as a platform's producers and the notification
// service would be: relance's process then holds relance alone, its heap and its GC.
func probeLatency(ctx context.Context, brokers []string, seed uint64, rate float64, d time.Duration, started func(pid int64)) (bench.Latency, error) {
	self, err := os.Executable()
	if err != nil {
		return bench.Latency{}, err
	}
	cmd := exec.CommandContext(ctx, self, "-latency-probe", "-brokers", strings.Join(brokers, ","),
		"-seed", strconv.FormatUint(seed, 10), "-latency-rate", strconv.FormatFloat(rate, 'f', -1, 64),
		"-latency", d.String())
	cmd.Stderr = os.Stderr
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		return bench.Latency{}, fmt.Errorf("latency probe: %w", err)
	}
	started(int64(cmd.Process.Pid))
	if err := cmd.Wait(); err != nil {
		return bench.Latency{}, fmt.Errorf("latency probe: %w", err)
	}
	out := stdout.Bytes()
	var l bench.Latency
	if err := json.Unmarshal(out, &l); err != nil {
		return bench.Latency{}, fmt.Errorf("latency probe: its output %q: %w", out, err)
	}
	return l, nil
}

// coreMeter reads the CPU counters of phase d's processes: relance (this process), Redis,
// the broker when it runs as a process of its own, and the probe once started.
type coreMeter struct {
	rdb      *redis.Client
	broker   *testenv.Process
	probePid atomic.Int64
}

// cpuReading is what the counters said at one moment, in CPU seconds.
type cpuReading struct {
	at                            time.Time
	relance, redis, broker, probe float64
}

func (m *coreMeter) read(ctx context.Context) (cpuReading, error) {
	info, err := bench.Info(ctx, m.rdb)
	if err != nil {
		return cpuReading{}, err
	}
	r := cpuReading{at: time.Now(), relance: bench.SelfCPU().Seconds(), redis: info.CPU, broker: m.broker.CPUSeconds()}
	if pid := m.probePid.Load(); pid > 0 {
		r.probe = testenv.CPUSecondsOf(int(pid))
	}
	return r, nil
}

// coresUntil is the CPU each process used from r to end, in cores. The probe starts after
// r: its CPU at end is all it used.
func (r cpuReading) coresUntil(end cpuReading) bench.Cores {
	s := end.at.Sub(r.at).Seconds()
	return bench.Cores{Relance: (end.relance - r.relance) / s, Redis: (end.redis - r.redis) / s,
		Broker: (end.broker - r.broker) / s, Probe: end.probe / s}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}
