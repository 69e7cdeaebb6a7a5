package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics"
)

// Config configures a replay. The zero value of each field means its default.
type Config struct {
	// Topics are the topic names; empty names take their defaults.
	Topics topics.Names
	// BatchSize is how many records are decoded and applied together. Default 1000, the
	// processor's; decisions do not depend on it (the store applies a batch in order).
	BatchSize int
}

// MaxBatchSize bounds Config.BatchSize.
const MaxBatchSize = 100_000

// Option sets an optional collaborator.
type Option func(*options)

type options struct {
	texts    policy.TextChecker
	now      func() time.Time
	progress func(Progress)
	every    time.Duration
	decided  func(int, policy.Input, policy.Decisions)
}

// WithTextChecker sets the check of a message's text for offensive content, as the
// processor's (default: none, only the platform's labels count, as processor.New).
func WithTextChecker(c policy.TextChecker) Option { return func(o *options) { o.texts = c } }

// WithClock sets the clock that events from the future are rejected against (default
// time.Now, as the processor).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithProgress calls f at most once every interval with how far the replay has got, and
// once at the end.
func WithProgress(interval time.Duration, f func(Progress)) Option {
	return func(o *options) { o.every, o.progress = interval, f }
}

// WithDecisions calls f with every event's decisions under the i-th policy (a test
// compares them with a ledger). f is called from one goroutine per policy.
func WithDecisions(f func(i int, in policy.Input, d policy.Decisions)) Option {
	return func(o *options) { o.decided = f }
}

// Progress is how far a replay has got.
type Progress struct {
	// Read is the records decided so far, Total all the source holds.
	Read, Total int64
	Elapsed     time.Duration
	Done        bool
}

// Rate is the records decided per second so far.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Read) / p.Elapsed.Seconds()
}

// Left is the time the rest should take at the rate so far (0 when unknown).
func (p Progress) Left() time.Duration {
	r := p.Rate()
	if r == 0 || p.Total <= p.Read {
		return 0
	}
	return time.Duration(float64(p.Total-p.Read) / r * float64(time.Second))
}

// Run decides every record of src under each policy, each with a store of its own, and
// returns one Report per policy, in order; every report after the first carries its
// difference from the first. Records are decoded once (processor.Decode), then applied
// to each policy's state.Memory and decided by Policy.DecideResult, batch by batch:
// exactly what the processor does, without Kafka writes or Redis.
func Run(ctx context.Context, src Source, pols []*policy.Policy, cfg Config, opts ...Option) ([]Report, error) {
	o := options{texts: policy.NoTextCheck, now: time.Now, every: time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if len(pols) == 0 {
		return nil, errors.New("replay: no policy")
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 1000
	}
	if cfg.BatchSize < 1 || cfg.BatchSize > MaxBatchSize {
		return nil, fmt.Errorf("replay: batch size %d: must be from 1 to %d", cfg.BatchSize, MaxBatchSize)
	}
	decoders := processor.Decoders(cfg.Topics)
	runs := make([]*run, len(pols))
	for i, pol := range pols {
		store, err := state.NewMemory(pol, state.Config{ExpireInEventTime: true})
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		runs[i] = &run{index: i, pol: pol, store: store, t: newTally()}
	}

	start := time.Now()
	lastProgress := start
	var read int64
	progress := func(done bool) {
		if o.progress == nil {
			return
		}
		if now := time.Now(); done || now.Sub(lastProgress) >= o.every {
			lastProgress = now
			o.progress(Progress{Read: read, Total: src.Total(), Elapsed: now.Sub(start), Done: done})
		}
	}
	batch := make([]kafka.Message, 0, cfg.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		decoded, err := processor.Decode(ctx, decoders, o.texts, o.now(), batch)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if len(runs) == 1 {
			err = runs[0].decide(ctx, batch, decoded, o.decided)
		} else {
			g, gctx := errgroup.WithContext(ctx)
			for _, r := range runs {
				g.Go(func() error { return r.decide(gctx, batch, decoded, o.decided) })
			}
			err = g.Wait()
		}
		if err != nil {
			return err
		}
		read += int64(len(batch))
		batch = batch[:0]
		progress(false)
		return nil
	}
	for {
		m, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		batch = append(batch, m)
		if len(batch) == cfg.BatchSize {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	progress(true)

	reports := make([]Report, len(runs))
	for i, r := range runs {
		reports[i] = r.t.report(r.pol.Version())
	}
	for i := 1; i < len(reports); i++ {
		d := diff(runs[0].t, runs[i].t, reports[0].Figures, reports[i].Figures)
		reports[i].Diff = &d
	}
	return reports, nil
}

// run is one policy's replay.
type run struct {
	index int
	pol   *policy.Policy
	store *state.Memory
	t     *tally
}

// decide applies a decoded batch to the run's store and decides each event, as the
// processor's apply stage does (processor/batch.go: outputs).
func (r *run) decide(ctx context.Context, batch []kafka.Message, decoded []processor.Decoded, decided func(int, policy.Input, policy.Decisions)) error {
	obs := make([]policy.Observation, 0, len(decoded))
	for _, d := range decoded {
		if d.Invalid == nil {
			obs = append(obs, d.Input.Observation)
		}
	}
	var results []policy.Result
	if len(obs) > 0 {
		var err error
		if results, err = r.store.Apply(ctx, obs); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if len(results) != len(obs) {
			return fmt.Errorf("replay: store returned %d results for %d events", len(results), len(obs))
		}
	}
	k := 0
	for i, d := range decoded {
		r.t.events++
		r.t.topics[batch[i].Topic]++
		if d.Invalid != nil {
			r.t.outcomes[processor.OutcomeDeadLetter]++
			continue
		}
		res := results[k]
		k++
		if res.Invalid != nil { // the store could not record it: dead-lettered too
			r.t.outcomes[processor.OutcomeDeadLetter]++
			continue
		}
		r.t.outcomes[processor.Outcome(d.Input.Observation.Action, res.Streak)]++
		ds := r.pol.DecideResult(d.Input, res)
		r.t.add(d.Input.Observation, res.Streak, ds)
		if decided != nil {
			decided(r.index, d.Input, ds)
		}
	}
	return nil
}
