package processor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/relance/relance/internal/backoff"
	"github.com/relance/relance/internal/errclass"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
)

// Processor consumes the input topics and publishes the policy's decisions.
type Processor struct {
	cfg    Config
	store  Store
	policy *policy.Policy
	// shadow is the candidate policy counted beside the live one, nil when none (shadow.go).
	shadow *shadow
	// shadowPolicy is WithShadowPolicy's, checked against the live policy by New.
	shadowPolicy *policy.Policy
	texts        policy.TextChecker
	// decoders read each input topic's records (Decoders).
	decoders map[string]Decoder
	log      *zap.Logger
	metrics  *metrics.Metrics
	now      func() time.Time
	// transport is the writer's and Ready's connection pool, closed when Run ends
	// (kafka-go's default transport would live, with its goroutines, as long as the process).
	transport *kafka.Transport

	running atomic.Bool
	// failing holds the errors of the calls being retried; Ready reports them so a stuck
	// processor is taken out of rotation.
	failing failures
}

// Option sets an optional collaborator.
type Option func(*Processor)

// WithLogger sets the logger (default: none).
func WithLogger(log *zap.Logger) Option { return func(p *Processor) { p.log = log } }

// WithMetrics sets the metrics to update (default: a private, unexported set).
func WithMetrics(m *metrics.Metrics) Option { return func(p *Processor) { p.metrics = m } }

// WithClock sets the clock used to reject events from the future (default time.Now).
func WithClock(now func() time.Time) Option { return func(p *Processor) { p.now = now } }

// WithTextChecker sets the check of a message's text for offensive content (default: none,
// only the platform's labels count).
func WithTextChecker(c policy.TextChecker) Option { return func(p *Processor) { p.texts = c } }

// WithShadowPolicy decides every event under candidate too, from the same store results,
// and counts its nudges and alerts in relance_shadow_nudges_total and
// relance_shadow_alerts_total without publishing any (default: none). New fails unless
// candidate has the live policy's window and burst, and a version of its own.
func WithShadowPolicy(candidate *policy.Policy) Option {
	return func(p *Processor) { p.shadowPolicy = candidate }
}

// New checks the configuration and returns a Processor ready to Run.
func New(cfg Config, store Store, pol *policy.Policy, opts ...Option) (*Processor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil || pol == nil {
		return nil, errors.New("processor: a store and a policy are required")
	}
	p := &Processor{
		cfg:       cfg.withDefaults(),
		store:     store,
		policy:    pol,
		texts:     policy.NoTextCheck,
		decoders:  Decoders(cfg.Topics),
		log:       zap.NewNop(),
		now:       time.Now,
		transport: cfg.Security.Transport(),
	}
	for _, o := range opts {
		o(p)
	}
	if p.metrics == nil {
		p.metrics = metrics.New()
	}
	for _, o := range policy.Outcomes { // this policy's series, at zero
		p.metrics.NudgeOutcomes.WithLabelValues(pol.Version(), o)
	}
	if p.shadowPolicy != nil {
		var err error
		if p.shadow, err = newShadow(pol, p.shadowPolicy); err != nil {
			return nil, fmt.Errorf("processor: %w", err)
		}
		for _, k := range shadowKinds { // the candidate's series, at zero
			p.metrics.ShadowNudges.WithLabelValues(p.shadowPolicy.Version(), k)
		}
		for _, s := range shadowSeverities {
			p.metrics.ShadowAlerts.WithLabelValues(p.shadowPolicy.Version(), s)
		}
	}
	p.log = p.log.Named("processor")
	return p, nil
}

// Run consumes until ctx is cancelled, then stops fetching, finishes and commits every
// batch it has fetched, leaves the consumer group, closes its Kafka connections and
// returns nil. Leaving the group takes at most Config.CloseTimeout: past it, Run closes the
// reader's connections and returns without having left (see closeReader). It returns an error
// when a batch could not be finished within Config.ShutdownGrace (it and the batches
// after it will be redelivered), when a batch cannot be handled, or when the consumer
// cannot start. The batches go through a pipeline of stages: see pipeline.go.
func (p *Processor) Run(ctx context.Context) (err error) {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("processor: Run called twice")
	}
	conns := newConnSet()
	reader := p.newReader(conns)
	writer := p.newWriter()
	defer func() {
		// Order matters: stop fetching and leave the group (within CloseTimeout), then
		// flush the writer. Once every batch is committed the writer holds nothing but its
		// connections: a batch's outputs are acknowledged before its offsets are committed.
		err = errors.Join(err, closeErr("reader", p.closeReader(reader, conns)), closeErr("writer", writer.Close()))
		conns.cancel()
		p.transport.CloseIdleConnections()
	}()

	fields := []zap.Field{
		zap.Strings("brokers", p.cfg.Brokers),
		zap.String("group", p.cfg.GroupID),
		zap.Strings("topics", p.cfg.Topics.Inputs()),
		zap.String("policy_version", p.policy.Version()),
	}
	if p.shadow != nil { // decided and counted, never published
		fields = append(fields, zap.String("shadow_policy_version", p.shadow.policy.Version()))
	}
	p.log.Info("consuming", fields...)
	if err := p.pipeline(ctx, reader, writer); err != nil {
		return err
	}
	p.log.Info("stopped: every fetched batch is committed")
	return nil
}

// fetch blocks for one record, then collects more for at most BatchLinger or until the
// batch is full. A cancelled ctx ends the batch early; the records already fetched are
// returned so they can be finished, appended to batch (empty, with room to reuse). The
// times are the batch's first stages.
func (p *Processor) fetch(ctx context.Context, r *kafka.Reader, batch []kafka.Message) ([]kafka.Message, stageTimes, error) {
	start := time.Now()
	// kafka-go's group reader keeps trying to join its group, but FetchMessage returns
	// its error after a few failed attempts (about 10 s with an unreachable broker). That
	// is not a reason to stop: fetch again, and report the failure in Ready meanwhile.
	var first kafka.Message
	err := p.retry(ctx, "kafka_fetch", func(ctx context.Context) error {
		var err error
		first, err = r.FetchMessage(ctx)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, stageTimes{}, nil
		}
		return nil, stageTimes{}, fmt.Errorf("fetch: %w", err)
	}
	times := stageTimes{produced: first.Time, firstFetched: time.Now()}
	if cap(batch) < p.cfg.BatchSize {
		batch = make([]kafka.Message, 0, p.cfg.BatchSize)
	}
	batch = append(batch, first)
	lingerCtx, cancel := context.WithTimeout(ctx, p.cfg.BatchLinger)
	defer cancel()
	for len(batch) < p.cfg.BatchSize {
		m, err := r.FetchMessage(lingerCtx)
		if err != nil {
			break // linger over, shutting down, or reader closed: handle what we have
		}
		batch = append(batch, m)
	}
	times.fetched = time.Now()
	p.metrics.KafkaSeconds.WithLabelValues("fetch").Observe(times.fetched.Sub(start).Seconds())
	return batch, times, nil
}

// apply records a decoded batch in the store and builds its outputs. ctx bounds the
// retries: the pipeline keeps it alive for ShutdownGrace after Run's ctx is cancelled.
func (p *Processor) apply(ctx context.Context, b fetched) (applied, error) {
	a := applied{fetched: b}
	if len(b.obs) > 0 {
		err := p.retry(ctx, "redis", func(ctx context.Context) error {
			start := time.Now()
			var err error
			a.results, err = p.store.Apply(ctx, b.obs)
			p.metrics.RedisSeconds.WithLabelValues("apply").Observe(time.Since(start).Seconds())
			return err
		})
		if err != nil {
			return a, fmt.Errorf("batch not finished, left uncommitted for redelivery: %w", err)
		}
		if len(a.results) != len(b.obs) {
			return a, fmt.Errorf("store returned %d results for %d events", len(a.results), len(b.obs))
		}
	}
	a.times.stored = time.Now()
	var err error
	a.records, a.decided, err = p.outputs(b.buf.records[:0], b.items, b.obs, a.results)
	b.buf.records = a.records
	a.times.applied = time.Now()
	return a, err
}

// publish writes a batch's outputs, then commits its offsets, then counts its outcomes.
func (p *Processor) publish(ctx context.Context, r *kafka.Reader, w *kafka.Writer, a applied) error {
	if len(a.records) > 0 {
		err := p.retry(ctx, "kafka_write", func(ctx context.Context) error {
			start := time.Now()
			err := w.WriteMessages(ctx, a.records...)
			p.metrics.KafkaSeconds.WithLabelValues("write").Observe(time.Since(start).Seconds())
			return err
		})
		if err != nil {
			return fmt.Errorf("batch not finished, left uncommitted for redelivery: %w", err)
		}
	}
	a.times.written = time.Now()
	commits, ok := commitPoints(a.buf.commits[:0], a.msgs)
	a.buf.commits = commits
	if !ok {
		commits = a.msgs
	}
	err := p.retry(ctx, "kafka_commit", func(ctx context.Context) error {
		start := time.Now()
		err := r.CommitMessages(ctx, commits...)
		p.metrics.KafkaSeconds.WithLabelValues("commit").Observe(time.Since(start).Seconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("batch written but not committed, it will be redelivered: %w", err)
	}
	a.times.committed = time.Now()
	a.times.observe(p.metrics)
	p.countOutcomes(a.items, a.obs, a.results, a.decided)
	return nil
}

// commitPoints appends to dst what commits batch: for each of its partitions, the
// highest offset among its records. CommitMessages commits no more than that, but it
// copies and merges every record it is given, some 30 ns and 32 bytes a record. ok is
// false when batch has records of more than maxCommitPoints partitions, so that the
// search stays short: batch is then to be committed whole.
func commitPoints(dst, batch []kafka.Message) (_ []kafka.Message, ok bool) {
	for i := range batch {
		m := &batch[i]
		j := len(dst) - 1 // the newest partition first: a run of its records is likely
		for j >= 0 && (dst[j].Partition != m.Partition || dst[j].Topic != m.Topic) {
			j--
		}
		switch {
		case j < 0 && len(dst) == maxCommitPoints:
			return dst, false
		case j < 0:
			dst = append(dst, kafka.Message{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset})
		case m.Offset > dst[j].Offset:
			dst[j].Offset = m.Offset
		}
	}
	return dst, true
}

// maxCommitPoints is the most partitions commitPoints looks a record's up among.
const maxCommitPoints = 16

// retry calls f until it succeeds or ctx ends, with exponential backoff and jitter.
// Transient errors are never skipped: the caller commits nothing until f succeeds. An error
// that retrying cannot mend (errclass.Permanent: a refused credential or permission, say)
// is returned at once, so that the processor stops and says why instead of stalling.
func (p *Processor) retry(ctx context.Context, op string, f func(context.Context) error) error {
	if ctx.Err() != nil {
		return gaveUp(ctx, op, ctx.Err()) // no call at all: the stage was told to stop
	}
	delay := p.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		err := f(ctx)
		if err == nil {
			if attempt > 1 {
				p.log.Info("recovered", zap.String("op", op), zap.Int("attempts", attempt))
			}
			p.failing.set(op, nil)
			return nil
		}
		if ctx.Err() != nil {
			return gaveUp(ctx, op, err)
		}
		failure := fmt.Errorf("%s: %w", op, err)
		if errclass.Permanent(err) {
			p.failing.set(op, failure)
			return fmt.Errorf("%w (not retried: it does not go away by retrying)", failure)
		}
		p.failing.set(op, failure)
		p.metrics.Retries.WithLabelValues(op).Inc()
		p.log.Warn("retrying", zap.String("op", op), zap.Int("attempt", attempt),
			zap.Duration("backoff", delay), zap.Error(err))
		if backoff.Sleep(ctx, backoff.Jitter(delay)) != nil {
			return gaveUp(ctx, op, err)
		}
		delay = min(2*delay, p.cfg.MaxBackoff)
	}
}

// gaveUp is op's last error once ctx has ended, with the reason ctx ended when it says
// more (the shutdown grace is over, a later stage failed).
func gaveUp(ctx context.Context, op string, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%s: %w (gave up: %w)", op, err, cause)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Ready reports whether the processor can work: the brokers answer and no Redis or Kafka
// call is failing.
func (p *Processor) Ready(ctx context.Context) error {
	if err := p.failing.err(); err != nil {
		return err
	}
	client := &kafka.Client{Addr: kafka.TCP(p.cfg.Brokers...), Transport: p.transport}
	if _, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: p.cfg.Topics.Inputs()}); err != nil {
		return fmt.Errorf("kafka metadata: %w", err)
	}
	return nil
}

// observeLag records, per partition, how far the batch's last record is behind the
// partition's high watermark.
func (p *Processor) observeLag(batch []kafka.Message) {
	type tp struct {
		topic     string
		partition int
	}
	last := make(map[tp]kafka.Message)
	for _, m := range batch {
		last[tp{m.Topic, m.Partition}] = m
	}
	for k, m := range last {
		lag := max(m.HighWaterMark-m.Offset-1, 0)
		p.metrics.ConsumerLag.WithLabelValues(k.topic, strconv.Itoa(k.partition)).Set(float64(lag))
	}
}

// failures holds, per operation ("redis", "kafka_write", ...), the error of the call
// being retried. The pipeline's stages retry concurrently: one stage's success must not
// hide another's failure.
type failures struct {
	mu   sync.Mutex
	byOp map[string]error
}

// set records op's last error; nil means op's last call succeeded.
func (f *failures) set(op string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.byOp, op)
		return
	}
	if f.byOp == nil {
		f.byOp = make(map[string]error)
	}
	f.byOp[op] = err
}

// err is every failing operation's error, by operation name, or nil.
func (f *failures) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	errs := make([]error, 0, len(f.byOp))
	for _, op := range slices.Sorted(maps.Keys(f.byOp)) {
		errs = append(errs, f.byOp[op])
	}
	return errors.Join(errs...)
}

func closeErr(what string, err error) error {
	if err != nil {
		return fmt.Errorf("close %s: %w", what, err)
	}
	return nil
}
