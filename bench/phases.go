package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// CountingStore wraps a processor.Store and counts its calls, and the Redis round trips
// (commands sent alone, and pipelines) of its client. It records when the first batch
// reached it.
type CountingStore struct {
	processor.Store
	Calls, Observations, RoundTrips atomic.Int64
	first                           atomic.Int64 // unix ns of the first Apply
}

func (s *CountingStore) DialHook(next redis.DialHook) redis.DialHook { return next }

func (s *CountingStore) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		s.RoundTrips.Add(1)
		return next(ctx, cmd)
	}
}

func (s *CountingStore) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		s.RoundTrips.Add(1)
		return next(ctx, cmds)
	}
}

// Apply counts, then calls the wrapped store.
func (s *CountingStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	s.first.CompareAndSwap(0, time.Now().UnixNano())
	s.Calls.Add(1)
	s.Observations.Add(int64(len(obs)))
	return s.Store.Apply(ctx, obs)
}

// First is when the first batch reached the store (zero before).
func (s *CountingStore) First() time.Time {
	if ns := s.first.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Relance is relance's processor running in this process for a run.
type Relance struct {
	Store   *CountingStore
	Metrics *metrics.Metrics
	Group   string
	cancel  context.CancelFunc
	done    chan error
}

// StartRelance runs the real processor in this process with group, built as cmd/relance
// builds it by default (package setup: a state.Redis, the built-in text check), until Stop.
// opts are passed on to the processor (a shadow policy, say).
func StartRelance(ctx context.Context, brokers []string, redisAddr string, group string, log *zap.Logger, opts ...processor.Option) (*Relance, error) {
	store := &CountingStore{}
	rel, err := setup.New(ctx, setup.Config{
		Processor: processor.Config{Brokers: brokers, GroupID: group},
		Redis:     connect.Redis{Addrs: []string{redisAddr}},
		State:     state.Config{KeyPrefix: "relance"},
	}, setup.WithLogger(log), setup.WithRedisHook(store), setup.WithStoreWrapper(func(s processor.Store) processor.Store {
		store.Store = s
		return store
	}), setup.WithProcessorOptions(opts...))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Relance{Store: store, Metrics: rel.Metrics, Group: group, cancel: cancel, done: make(chan error, 1)}
	go func() {
		defer rel.Close()
		r.done <- rel.Processor.Run(ctx)
	}()
	return r, nil
}

// Stop cancels the processor and waits for it to commit and return.
func (r *Relance) Stop() error {
	r.cancel()
	return <-r.done
}

// Usage is a process's resource use over a phase.
type Usage struct {
	CPU     time.Duration // user + system CPU time of this process
	PeakRSS int64         // bytes, this process's VmHWM since ResetPeakRSS
}

// ResetPeakRSS returns the memory the Go runtime holds to the OS and resets the kernel's
// peak RSS of this process (echo 5 > /proc/self/clear_refs), so that VmHWM measures one phase.
func ResetPeakRSS() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// SelfCPU is the CPU time this process has used so far.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is this process's VmHWM in bytes (0 when unknown).
func PeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Profile starts a CPU profile into cpuPath (if not empty) and returns a function that
// stops it and writes the heap profile (allocations since start) into memPath (if not empty).
func Profile(cpuPath, memPath string) (stop func() error, err error) {
	var cpu *os.File
	if cpuPath != "" {
		if cpu, err = os.Create(cpuPath); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			_ = cpu.Close()
			return nil, err
		}
	}
	return func() error {
		var errs []error
		if cpu != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpu.Close())
		}
		if memPath != "" {
			f, err := os.Create(memPath)
			if err != nil {
				return err
			}
			errs = append(errs, pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
		}
		return errors.Join(errs...)
	}, nil
}

// fetchBatch fetches like relance: block for one record, then collect more for at most
// linger or until max.
func fetchBatch(ctx context.Context, r *kafka.Reader, max int, linger time.Duration) ([]kafka.Message, error) {
	first, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	batch := append(make([]kafka.Message, 0, max), first)
	lctx, cancel := context.WithTimeout(ctx, linger)
	defer cancel()
	for len(batch) < max {
		m, err := r.FetchMessage(lctx)
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	return batch, nil
}

// Result is one design's throughput over the events it handled.
type Result struct {
	Events  int64
	Elapsed time.Duration
	// Extrapolated is true when the design ran on a subset of the events.
	Extrapolated bool
}

// Rate is events per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Events) / r.Elapsed.Seconds()
}

// Floor is the I/O floor: relance's own reader and writer (package processor) over the
// input topics, fetching batches of up to 1000 records (1ms linger) as relance does,
// writing outputs (outPerEvent records of 700 bytes per input record, relance's output
// ratio) with all in-sync replicas acknowledging, and committing each batch — with no
// decoding and no state.
func Floor(ctx context.Context, brokers []string, n int64, outPerEvent float64, outTopic string) (Result, error) {
	r, w, closeKafka := openKafka(brokers, topics.Names{}, "bench-floor", 1000, outTopic)
	defer closeKafka()
	payload := make([]byte, 700)
	var done int64
	var owed float64
	var start time.Time
	for done < n {
		batch, err := fetchBatch(ctx, r, 1000, time.Millisecond)
		if err != nil {
			return Result{}, fmt.Errorf("floor: fetch: %w", err)
		}
		if start.IsZero() {
			start = time.Now()
		}
		owed += outPerEvent * float64(len(batch))
		var out []kafka.Message
		for ; owed >= 1; owed-- {
			m := batch[len(out)%len(batch)]
			out = append(out, kafka.Message{Key: m.Key, Value: payload})
		}
		if len(out) > 0 {
			if err := w.WriteMessages(ctx, out...); err != nil {
				return Result{}, fmt.Errorf("floor: write: %w", err)
			}
		}
		if err := r.CommitMessages(ctx, batch...); err != nil {
			return Result{}, fmt.Errorf("floor: commit: %w", err)
		}
		done += int64(len(batch))
	}
	return Result{Events: done, Elapsed: time.Since(start)}, nil
}

// Naive is the design a first version usually has: fetch one record, decode it, one
// Apply of relance's own store for it, decide, write its outputs, commit it — one event at
// a time, every call waiting for the one before. It runs on the first n records (or until
// limit passes) of the input topics named by inputs, with its own group, keys and output
// topic, and its rate is extrapolated. Its inputs should hold a sample of the workload of
// their own (PreloadTo): a group reader takes records from every partition in turn, so the
// first n records of topics of unequal sizes over-represent the smallest one.
func Naive(ctx context.Context, brokers []string, inputs topics.Names, rdb redis.UniversalClient, n int64, limit time.Duration, outTopic string) (Result, error) {
	pol := policy.Default()
	store, err := state.New(ctx, rdb, pol, state.Config{KeyPrefix: "naive", CachePairs: -1})
	if err != nil {
		return Result{}, err
	}
	decoders := processor.Decoders(inputs)
	r, w, closeKafka := openKafka(brokers, inputs, "bench-naive", 100, outTopic)
	defer closeKafka()
	var done int64
	var start time.Time
	for done < n && (start.IsZero() || time.Since(start) < limit) {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("naive: fetch: %w", err)
		}
		if start.IsZero() {
			start = time.Now()
		}
		in, ok := decodeInput(m, decoders)
		if ok {
			res, err := store.Apply(ctx, []policy.Observation{in.Observation})
			if err != nil {
				return Result{}, fmt.Errorf("naive: apply: %w", err)
			}
			d := pol.DecideResult(in, res[0])
			var out []kafka.Message
			for _, n := range d.Nudges {
				rec, err := record.Nudge(outTopic, n)
				if err != nil {
					return Result{}, err
				}
				rec.Topic = ""
				out = append(out, rec)
			}
			for _, a := range d.Alerts {
				rec, err := record.Alert(outTopic, a)
				if err != nil {
					return Result{}, err
				}
				rec.Topic = ""
				out = append(out, rec)
			}
			if len(out) > 0 {
				if err := w.WriteMessages(ctx, out...); err != nil {
					return Result{}, fmt.Errorf("naive: write: %w", err)
				}
			}
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			return Result{}, fmt.Errorf("naive: commit: %w", err)
		}
		done++
	}
	return Result{Events: done, Elapsed: time.Since(start), Extrapolated: true}, nil
}

// decodeInput decodes a record with the processor's decoders (labels only, no text check).
func decodeInput(m kafka.Message, decoders map[string]processor.Decoder) (policy.Input, bool) {
	decode, ok := decoders[m.Topic]
	if !ok {
		return policy.Input{}, false
	}
	in, _, err := decode(m.Value, time.Now())
	return in, err == nil
}

// Latency is the distribution of produce → nudge-readable delays.
type Latency struct {
	Rate             float64 // events/s offered
	Produced, Nudges int
	P50, P99, Max    time.Duration
	ProducedFor      time.Duration
	// Stages are relance's share, stage by stage (filled by the bench, not the probe).
	Stages []StageLatency `json:",omitempty"`
	// Each nudge's latency in two parts, split at the nudge's Kafka timestamp (relance's
	// write call, to the millisecond): up to it (the producer, the broker, relance's
	// stages before write) and after it (relance's write, the broker, the reader's fetch).
	// SlowestUpToWrite and SlowestAfterWrite are their means over the slowest 1 % of
	// nudges: which side the tail is on.
	P99UpToWrite, P99AfterWrite         time.Duration
	SlowestUpToWrite, SlowestAfterWrite time.Duration
	// ProducerLateP99 is the producer's own delay: per tick, from when its events were due
	// (their produce time above) to its WriteMessages call returning. It is the probe's,
	// not relance's, part of the latency up to relance's write.
	ProducerLateP99 time.Duration
	// Cores is how busy the machine was while the events were produced (filled by the
	// bench, not the probe).
	Cores Cores
}

// Cores is the CPU each process used over a span, in cores (CPU seconds per second). The
// probe's is its producer's and nudge reader's (0 when they run in relance's process, whose
// figure then holds them).
type Cores struct{ Relance, Redis, Broker, Probe float64 }

// Total is the machine's CPU the processes used together, in cores.
func (c Cores) Total() float64 { return c.Relance + c.Redis + c.Broker + c.Probe }

// MeasureLatency produces workload events at rate per second for d, while reading the
// coach-nudge topic from its end; for every sender nudge whose triggering message was
// produced in this phase it records the time from the produce call to the nudge being
// read. It waits up to 5s after the last produce for late nudges.
func MeasureLatency(ctx context.Context, brokers []string, seed uint64, rate float64, d time.Duration) (Latency, error) {
	names := topics.Names{}.WithDefaults()
	wl := NewWorkload(WorkloadConfig{Seed: seed})
	// produced holds, by event Seq - 1, when each message was produced (as time since
	// base; 0: not a message, or its nudge was read). A slice of numbers, not a map of ids:
	// the probe shares relance's cores, and a map of a million ids cost it a fifth of its
	// CPU (growth and the collector scanning it).
	var mu sync.Mutex
	base := time.Now()
	produced := make([]time.Duration, 0, int(rate*d.Seconds())+1024)
	var lat []time.Duration
	var upToWrite []time.Duration // per nudge, lat's part before relance's write call

	metaTransport := &kafka.Transport{}
	defer metaTransport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: metaTransport}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{names.CoachNudge}})
	if err != nil || len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return Latency{}, fmt.Errorf("latency: metadata of %s: %v", names.CoachNudge, errors.Join(err))
	}
	rctx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	var g errgroup.Group
	ready := make(chan struct{}, len(meta.Topics[0].Partitions))
	for _, p := range meta.Topics[0].Partitions {
		g.Go(func() error {
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: names.CoachNudge, Partition: p.ID,
				MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 2 * time.Second}) // see processor.newReader
			defer r.Close()
			if err := r.SetOffset(kafka.LastOffset); err != nil {
				return err
			}
			ready <- struct{}{}
			for {
				m, err := r.ReadMessage(rctx)
				if err != nil {
					return nil // ctx ended
				}
				now := time.Now()
				var n struct {
					Audience    string `json:"audience"`
					TriggeredBy string `json:"triggered_by"`
				}
				if json.Unmarshal(m.Value, &n) != nil || n.Audience != topics.AudienceSender {
					continue
				}
				seq, ok := wl.MessageSeq(n.TriggeredBy)
				if !ok {
					continue
				}
				mu.Lock()
				if seq <= len(produced) && produced[seq-1] != 0 {
					t := base.Add(produced[seq-1])
					lat = append(lat, now.Sub(t))
					upToWrite = append(upToWrite, min(max(m.Time.Sub(t), 0), now.Sub(t)))
					produced[seq-1] = 0
				}
				mu.Unlock()
			}
		})
	}
	for range meta.Topics[0].Partitions {
		<-ready
	}

	// The producer is franz-go's, not kafka-go's Writer: it stands for the platform's
	// producers, whose client is theirs, and the probe shares relance's two cores, so its
	// cost is taken from relance's latency (at 65,000 events/s the Writer cost the probe
	// ~0.35 cores; see docs/BENCHMARKS.md). Keys are partitioned as Java clients do
	// (murmur2), as relance's own writer does.
	producer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(time.Millisecond), kgo.ProducerBatchCompression(kgo.NoCompression()), // as kafka-go writes
		kgo.WithLogger(nil))
	if err != nil {
		return Latency{}, fmt.Errorf("latency: producer: %w", err)
	}
	defer producer.Close()
	var produceErr atomic.Pointer[error] // the first failed produce
	onProduced := func(_ *kgo.Record, err error) {
		if err != nil {
			produceErr.CompareAndSwap(nil, &err)
		}
	}
	const tick = 2 * time.Millisecond
	start := time.Now()
	t := time.NewTicker(tick)
	count := 0
	var late []time.Duration // per tick, its events were handed to the producer this long after they were due
	var recs []*kgo.Record
	for now := start; now.Sub(start) < d; now = <-t.C {
		due := int(rate*now.Sub(start).Seconds()) - count
		if due <= 0 {
			continue // a tick delivered late, after a later one was due (or nothing due yet)
		}
		recs = recs[:0]
		mu.Lock()
		at := max(now.Sub(base), 1) // 0 is "none"
		for range due {
			ev := wl.NextAt(now)
			recs = append(recs, &kgo.Record{Topic: ev.Topic, Key: ev.Key, Value: ev.Value})
			if ev.Topic != names.MessageSent {
				produced = append(produced, 0) // one per event, in Seq order
			} else {
				produced = append(produced, at)
			}
		}
		mu.Unlock()
		count += due
		for _, r := range recs {
			producer.Produce(ctx, r, onProduced)
		}
		late = append(late, time.Since(now))
		if err := produceErr.Load(); err != nil {
			t.Stop()
			return Latency{}, fmt.Errorf("latency: produce: %w", *err)
		}
	}
	t.Stop()
	producedFor := time.Since(start)
	if err := producer.Flush(ctx); err != nil {
		return Latency{}, fmt.Errorf("latency: produce: %w", err)
	}
	if err := produceErr.Load(); err != nil {
		return Latency{}, fmt.Errorf("latency: produce: %w", *err)
	}
	// Wait for the stragglers: until no nudge arrived for 1s, at most 5s.
	settle := time.Now().Add(5 * time.Second)
	last := -1
	for time.Now().Before(settle) {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n == last {
			break
		}
		last = n
		time.Sleep(time.Second) // sampling the arrivals, not waiting for a condition
	}
	stopReading()
	if err := g.Wait(); err != nil {
		return Latency{}, err
	}
	out := Latency{Rate: rate, Produced: count, Nudges: len(lat), ProducedFor: producedFor}
	if len(late) > 0 {
		slices.Sort(late)
		out.ProducerLateP99 = p99(late)
	}
	if len(lat) > 0 {
		out.splitAtWrite(lat, upToWrite)
		slices.Sort(lat)
		out.P50 = lat[len(lat)/2]
		out.P99 = p99(lat)
		out.Max = lat[len(lat)-1]
	}
	return out, nil
}

// p99 of sorted.
func p99(sorted []time.Duration) time.Duration {
	return sorted[min(len(sorted)-1, int(math.Ceil(0.99*float64(len(sorted))))-1)]
}

// splitAtWrite sets the figures of each nudge's latency (lat) split into its part up to
// relance's write call (upToWrite) and the rest.
func (l *Latency) splitAtWrite(lat, upToWrite []time.Duration) {
	order := make([]int, len(lat))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(lat[b], lat[a]) }) // slowest first
	slowest := order[:max(1, len(order)/100)]
	for _, i := range slowest {
		l.SlowestUpToWrite += upToWrite[i]
		l.SlowestAfterWrite += lat[i] - upToWrite[i]
	}
	l.SlowestUpToWrite /= time.Duration(len(slowest))
	l.SlowestAfterWrite /= time.Duration(len(slowest))
	up := slices.Clone(upToWrite)
	after := make([]time.Duration, len(lat))
	for i := range lat {
		after[i] = lat[i] - upToWrite[i]
	}
	slices.Sort(up)
	slices.Sort(after)
	l.P99UpToWrite, l.P99AfterWrite = p99(up), p99(after)
}

// RedisInfo is what INFO says about commands, CPU and memory.
type RedisInfo struct {
	Commands     map[string]int64 // calls by command, lower case
	CPU          float64          // used_cpu_user + used_cpu_sys, seconds
	UsedMemory   int64
	NetInput     int64
	ConnReceived int64
}

// TotalCommands sums the calls of every command.
func (i RedisInfo) TotalCommands() int64 {
	var n int64
	for _, c := range i.Commands {
		n += c
	}
	return n
}

// Info reads INFO commandstats, cpu, memory and stats.
func Info(ctx context.Context, rdb *redis.Client) (RedisInfo, error) {
	s, err := rdb.Info(ctx, "commandstats", "cpu", "memory", "stats").Result()
	if err != nil {
		return RedisInfo{}, err
	}
	info := RedisInfo{Commands: map[string]int64{}}
	for _, line := range strings.Split(s, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(k, "cmdstat_"):
			calls, _, _ := strings.Cut(strings.TrimPrefix(v, "calls="), ",")
			n, _ := strconv.ParseInt(calls, 10, 64)
			info.Commands[strings.TrimPrefix(k, "cmdstat_")] = n
		case k == "used_cpu_user" || k == "used_cpu_sys":
			f, _ := strconv.ParseFloat(v, 64)
			info.CPU += f
		case k == "used_memory":
			info.UsedMemory, _ = strconv.ParseInt(v, 10, 64)
		case k == "total_net_input_bytes":
			info.NetInput, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return info, nil
}

// HeldMemory applies, through store, pairs×perPair unanswered messages (each pair's
// sender writing perPair messages an hour apart, never answered) and returns the growth
// of Redis's used_memory per held message.
func HeldMemory(ctx context.Context, rdb *redis.Client, store processor.Store, prefix string, pairs, perPair int) (float64, error) {
	before, err := Info(ctx, rdb)
	if err != nil {
		return 0, err
	}
	base := time.Now().Add(-time.Duration(perPair+1) * time.Hour).Truncate(time.Millisecond)
	batch := make([]policy.Observation, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := store.Apply(ctx, batch)
		batch = batch[:0]
		return err
	}
	for k := range perPair {
		for p := range pairs {
			batch = append(batch, policy.Observation{
				Action: policy.ActionMessage, MessageID: prefix + "-" + strconv.Itoa(p) + "-" + strconv.Itoa(k),
				SenderID: "u-" + strconv.Itoa(100_000+p), RecipientID: "u-" + strconv.Itoa(300_000+p),
				SentAt: base.Add(time.Duration(k) * time.Hour),
			})
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return 0, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	after, err := Info(ctx, rdb)
	if err != nil {
		return 0, err
	}
	return float64(after.UsedMemory-before.UsedMemory) / float64(pairs*perPair), nil
}

// Calls is, per histogram series of the processor's metrics (Redis and Kafka calls,
// batch sizes), the count and sum of its observations so far.
type Calls map[string][2]float64

// Calls snapshots the processor's call histograms.
func (r *Relance) Calls() Calls {
	out := Calls{}
	mfs, err := r.Metrics.Registry().Gather()
	if err != nil {
		return out
	}
	for _, mf := range mfs {
		name := strings.TrimPrefix(mf.GetName(), "relance_")
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			if h == nil {
				continue
			}
			key := name
			for _, l := range m.GetLabel() {
				key += " " + l.GetValue()
			}
			out[key] = [2]float64{float64(h.GetSampleCount()), h.GetSampleSum()}
		}
	}
	return out
}

// Since describes the calls made between prev and c: count and mean of each series.
func (c Calls) Since(prev Calls) string {
	var parts []string
	for k, v := range c {
		n := v[0] - prev[k][0]
		if n == 0 {
			continue
		}
		mean := (v[1] - prev[k][1]) / n
		if strings.HasPrefix(k, "batch_size") {
			parts = append(parts, fmt.Sprintf("%s: %.0f, mean %.0f", k, n, mean))
		} else {
			parts = append(parts, fmt.Sprintf("%s: %.0f, mean %.2fms", k, n, mean*1000))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// ShadowDecisions is how many nudges and alerts the shadow policy has counted so far
// (relance_shadow_nudges_total and relance_shadow_alerts_total), 0 without one.
func (r *Relance) ShadowDecisions() int64 {
	mfs, err := r.Metrics.Registry().Gather()
	if err != nil {
		return 0
	}
	var n float64
	for _, mf := range mfs {
		if name := mf.GetName(); name == "relance_shadow_nudges_total" || name == "relance_shadow_alerts_total" {
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return int64(n)
}
