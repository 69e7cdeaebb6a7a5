package processor

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// BenchmarkBatch is the processor's own CPU and memory per event of a batch, through every
// stage the pipeline runs it through, without Kafka or Redis: collecting the fetched
// records, decoding them, the store's results, the decisions and output records, and the
// metrics counted once the batch is committed. The batch is benchBatch's fifth round, and
// a few of its pairs have history: the first 40 records' pairs had three earlier rounds
// (the batch's messages bring their nudges), the next 40's four (the nudge came the round
// before: the batch's messages fix its outcome). The store answers with what an in-memory
// store answered the batch, so that the figure is the processor's, not the store's.
func BenchmarkBatch(b *testing.B) {
	const n = 1000
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	pol := policy.Default()
	mem, err := state.NewMemory(pol, state.Config{})
	if err != nil {
		b.Fatal(err)
	}
	store := &fixedStore{Store: mem}
	p, err := New(Config{Brokers: []string{"127.0.0.1:9092"}, BatchSize: n}, store, pol,
		WithClock(func() time.Time { return now }), WithMetrics(metrics.New()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	applyRecords := func(msgs []kafka.Message) {
		items, obs, err := p.decode(ctx, new(buffers), msgs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.apply(ctx, fetched{msgs: msgs, items: items, obs: obs, buf: new(buffers)}); err != nil {
			b.Fatal(err)
		}
	}
	for round := range 3 {
		applyRecords(benchBatch(n, round)[:80])
	}
	applyRecords(benchBatch(n, 3)[40:80])
	batch := benchBatch(n, 4)
	applyRecords(batch) // the results kept
	store.Store = nil   // answer store.results from now on

	free := newFreeList()
	b.ReportAllocs()
	var a applied
	for b.Loop() {
		buf := free.get()
		msgs := append(slices.Grow(buf.msgs[:0], p.cfg.BatchSize), batch...) // as fetch collects them
		buf.msgs = msgs
		p.observeLag(msgs)
		items, obs, err := p.decode(ctx, buf, msgs)
		if err != nil {
			b.Fatal(err)
		}
		if a, err = p.apply(ctx, fetched{msgs: msgs, items: items, obs: obs, buf: buf}); err != nil {
			b.Fatal(err)
		}
		p.countOutcomes(a.items, a.obs, a.results, a.decided)
		free.put(buf) // committed
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
	b.ReportMetric(float64(len(a.records))/float64(n), "records/event")
}

// fixedStore passes Apply to Store and keeps its results; once Store is nil, it answers
// every Apply with the results kept, allocating nothing.
type fixedStore struct {
	Store
	results []policy.Result
}

func (s *fixedStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	if s.Store == nil {
		return s.results, nil
	}
	var err error
	s.results, err = s.Store.Apply(ctx, obs)
	return s.results, err
}
