package processor_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
)

// slowStore holds its first Apply for hold, so that the store stage has a known least
// duration.
type slowStore struct {
	processor.Store
	hold  time.Duration
	first bool
}

func (s *slowStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	if !s.first {
		s.first = true
		select {
		case <-time.After(s.hold): // the duration measured, not a synchronisation
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.Store.Apply(ctx, obs)
}

// Every committed batch is observed once in each stage; the store stage holds the time
// Store.Apply took; a record stamped ahead of relance's clock gives no arrival figure.
func TestStagesAreObservedOncePerCommittedBatch(t *testing.T) {
	e := newEnv(t)
	m := metrics.New()
	const hold = 200 * time.Millisecond
	e.startWith(func(s processor.Store) processor.Store { return &slowStore{Store: s, hold: hold} },
		[]processor.Option{processor.WithMetrics(m)})

	e.send(streak("m", "ana", "ben", 0, 4)...)
	e.waitCommitted()
	ahead, err := json.Marshal(msg("late-clock", "cleo", "dan", 10))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Produce(t, e.brokers, e.names.MessageSent,
		kafka.Message{Key: []byte("cleo"), Value: ahead, Time: time.Now().Add(time.Hour)})
	e.waitCommitted()
	const events = 5
	waitConsumed(t, m, events)

	stages := stageHistograms(t, m)
	batches := batchCount(t, m)
	if batches < 2 {
		t.Fatalf("%d batches, want at least 2 (the streak, then the record stamped ahead)", batches)
	}
	for _, s := range metrics.Stages {
		want := batches
		if s == "arrival" {
			want = batches - 1 // the record stamped an hour ahead is its batch's first
		}
		if got := stages[s].GetSampleCount(); got != want {
			t.Errorf("stage %s observed %d times, want %d", s, got, want)
		}
	}
	if got := stages["store"].GetSampleSum(); got < hold.Seconds() {
		t.Errorf("store stage: %.3fs in all, want at least the %s the store held a batch", got, hold)
	}
	if got := stages["arrival"].GetSampleSum(); got > time.Minute.Seconds() {
		t.Errorf("arrival: %.0fs in all: the record stamped ahead was counted", got)
	}
}

func stageHistograms(t *testing.T, m *metrics.Metrics) map[string]*dto.Histogram {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.Histogram{}
	for _, mf := range mfs {
		if mf.GetName() != "relance_stage_seconds" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			out[mt.GetLabel()[0].GetValue()] = mt.GetHistogram()
		}
	}
	return out
}

func batchCount(t *testing.T, m *metrics.Metrics) uint64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "relance_batch_size" {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	t.Fatal("no relance_batch_size")
	return 0
}
