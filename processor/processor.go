package processor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
)

// Processor consumes the input topics and publishes the policy's decisions.
type Processor struct {
	cfg     Config
	store   Store
	policy  *policy.Policy
	texts   policy.TextChecker
	log     *zap.Logger
	metrics *metrics.Metrics
	now     func() time.Time
	// transport is the writer's and Ready's connection pool, closed when Run ends
	// (kafka-go's default transport would live, with its goroutines, as long as the process).
	transport *kafka.Transport

	running atomic.Bool
	// failing holds the error of the call being retried, nil when the last call succeeded;
	// Ready reports it so a stuck processor is taken out of rotation.
	failing atomic.Pointer[error]
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
		log:       zap.NewNop(),
		now:       time.Now,
		transport: &kafka.Transport{},
	}
	for _, o := range opts {
		o(p)
	}
	if p.metrics == nil {
		p.metrics = metrics.New()
	}
	p.log = p.log.Named("processor")
	return p, nil
}

// Run consumes until ctx is cancelled, then finishes and commits the batch in hand, closes
// its Kafka connections and returns nil. It returns an error only when the batch in hand
// could not be finished within Config.ShutdownGrace (it will be redelivered) or the
// consumer cannot start.
func (p *Processor) Run(ctx context.Context) (err error) {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("processor: Run called twice")
	}
	reader := p.newReader()
	writer := p.newWriter()
	defer func() {
		// Order matters: stop fetching and leave the group, then flush the writer.
		err = errors.Join(err, closeErr("reader", reader.Close()), closeErr("writer", writer.Close()))
		p.transport.CloseIdleConnections()
	}()

	p.log.Info("consuming",
		zap.Strings("brokers", p.cfg.Brokers),
		zap.String("group", p.cfg.GroupID),
		zap.Strings("topics", p.cfg.Topics.Inputs()),
		zap.String("policy_version", p.policy.Version()))
	for {
		batch, err := p.fetch(ctx, reader)
		if len(batch) == 0 {
			if ctx.Err() != nil {
				p.log.Info("stopped: every handled batch is committed")
				return nil
			}
			return err
		}
		if err := p.handleBatch(ctx, reader, writer, batch); err != nil {
			return err
		}
	}
}

// fetch blocks for one record, then collects more for at most BatchLinger or until the
// batch is full. A cancelled ctx ends the batch early; the records already fetched are
// returned so they can be finished.
func (p *Processor) fetch(ctx context.Context, r *kafka.Reader) ([]kafka.Message, error) {
	start := time.Now()
	first, err := r.FetchMessage(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, fmt.Errorf("fetch: %w", err)
	}
	batch := make([]kafka.Message, 1, p.cfg.BatchSize)
	batch[0] = first
	lingerCtx, cancel := context.WithTimeout(ctx, p.cfg.BatchLinger)
	defer cancel()
	for len(batch) < p.cfg.BatchSize {
		m, err := r.FetchMessage(lingerCtx)
		if err != nil {
			break // linger over, shutting down, or reader closed: handle what we have
		}
		batch = append(batch, m)
	}
	p.metrics.KafkaSeconds.WithLabelValues("fetch").Observe(time.Since(start).Seconds())
	return batch, nil
}

// handleBatch stores, publishes and commits one batch. It keeps going after ctx is
// cancelled, for at most ShutdownGrace, so that a SIGTERM commits the work in hand.
func (p *Processor) handleBatch(ctx context.Context, r *kafka.Reader, w *kafka.Writer, batch []kafka.Message) error {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(p.cfg.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-work.Done():
		}
	})
	defer stop()

	p.metrics.BatchSize.Observe(float64(len(batch)))
	p.observeLag(batch)

	items, obs := p.decode(batch)
	var streaks []policy.Streak
	if len(obs) > 0 {
		err := p.retry(work, "redis", func(ctx context.Context) error {
			start := time.Now()
			var err error
			streaks, err = p.store.Apply(ctx, obs)
			p.metrics.RedisSeconds.WithLabelValues("apply").Observe(time.Since(start).Seconds())
			return err
		})
		if err != nil {
			return fmt.Errorf("batch not finished, left uncommitted for redelivery: %w", err)
		}
		if len(streaks) != len(obs) {
			return fmt.Errorf("store returned %d results for %d events", len(streaks), len(obs))
		}
	}

	records, decided, err := p.outputs(items, streaks)
	if err != nil {
		return err
	}
	if len(records) > 0 {
		err := p.retry(work, "kafka_write", func(ctx context.Context) error {
			start := time.Now()
			err := w.WriteMessages(ctx, records...)
			p.metrics.KafkaSeconds.WithLabelValues("write").Observe(time.Since(start).Seconds())
			return err
		})
		if err != nil {
			return fmt.Errorf("batch not finished, left uncommitted for redelivery: %w", err)
		}
	}
	err = p.retry(work, "kafka_commit", func(ctx context.Context) error {
		start := time.Now()
		err := r.CommitMessages(ctx, batch...)
		p.metrics.KafkaSeconds.WithLabelValues("commit").Observe(time.Since(start).Seconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("batch written but not committed, it will be redelivered: %w", err)
	}
	p.countOutcomes(items, streaks, decided)
	return nil
}

// retry calls f until it succeeds or ctx ends, with exponential backoff and jitter.
// Transient errors are never skipped: the caller commits nothing until f succeeds.
func (p *Processor) retry(ctx context.Context, op string, f func(context.Context) error) error {
	backoff := p.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		err := f(ctx)
		if err == nil {
			if attempt > 1 {
				p.log.Info("recovered", zap.String("op", op), zap.Int("attempts", attempt))
			}
			p.failing.Store(nil)
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		failure := fmt.Errorf("%s: %w", op, err)
		p.failing.Store(&failure)
		p.metrics.Retries.WithLabelValues(op).Inc()
		p.log.Warn("retrying", zap.String("op", op), zap.Int("attempt", attempt),
			zap.Duration("backoff", backoff), zap.Error(err))
		t := time.NewTimer(jitter(backoff))
		select {
		case <-ctx.Done():
			t.Stop()
			return failure
		case <-t.C:
		}
		backoff = min(2*backoff, p.cfg.MaxBackoff)
	}
}

// jitter spreads retries of several instances over [d/2, d).
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(time.Now().UnixNano()%int64(d/2))
}

// Ready reports whether the processor can work: the brokers answer and no Redis or Kafka
// call is failing.
func (p *Processor) Ready(ctx context.Context) error {
	if f := p.failing.Load(); f != nil {
		return *f
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

func closeErr(what string, err error) error {
	if err != nil {
		return fmt.Errorf("close %s: %w", what, err)
	}
	return nil
}
