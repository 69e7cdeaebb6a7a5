package processor

import (
	"time"

	"github.com/relance/relance/metrics"
)

// stageTimes are the moments a batch passed from one stage to the next, for
// relance_stage_seconds (metrics.Stage): where a nudge's latency goes.
type stageTimes struct {
	produced     time.Time // Kafka timestamp of the batch's first record
	firstFetched time.Time // FetchMessage returned that record
	fetched      time.Time // the batch is complete
	decoded      time.Time
	applyStart   time.Time // the store stage took the batch
	stored       time.Time // Store.Apply returned
	applied      time.Time // outputs built
	publishStart time.Time
	written      time.Time // outputs acknowledged: readable
	committed    time.Time
}

// observe records each stage's duration, in metrics.Stages' order. A record whose
// timestamp is missing or ahead of this clock (a producer's clock running ahead) gives no
// arrival figure rather than a wrong one.
func (t stageTimes) observe(m *metrics.Metrics) {
	if !t.produced.IsZero() && !t.produced.After(t.firstFetched) {
		m.Stage.WithLabelValues("arrival").Observe(t.firstFetched.Sub(t.produced).Seconds())
	}
	for _, s := range []struct {
		stage      string
		start, end time.Time
	}{
		{"linger", t.firstFetched, t.fetched},
		{"decode", t.fetched, t.decoded},
		{"wait_apply", t.decoded, t.applyStart},
		{"store", t.applyStart, t.stored},
		{"outputs", t.stored, t.applied},
		{"wait_publish", t.applied, t.publishStart},
		{"write", t.publishStart, t.written},
		{"commit", t.written, t.committed},
	} {
		m.Stage.WithLabelValues(s.stage).Observe(s.end.Sub(s.start).Seconds())
	}
}
