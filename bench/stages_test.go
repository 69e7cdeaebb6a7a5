package bench

import (
	"testing"
	"time"

	"github.com/relance/relance/metrics"
)

func TestStagesReadsQuantilesAsHistogramQuantileDoes(t *testing.T) {
	m := metrics.New()
	// 100 batches stored: 50 in 1–2 ms, 49 in 2–3 ms, 1 in 40–50 ms.
	for range 50 {
		m.Stage.WithLabelValues("store").Observe(0.0015)
	}
	for range 49 {
		m.Stage.WithLabelValues("store").Observe(0.0025)
	}
	m.Stage.WithLabelValues("store").Observe(0.045)
	stages, err := Stages(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != len(metrics.Stages) {
		t.Fatalf("%d stages, want %d", len(stages), len(metrics.Stages))
	}
	var store StageLatency
	for _, s := range stages {
		if s.Stage == "store" {
			store = s
		} else if s.Batches != 0 {
			t.Errorf("stage %s: %d batches, want 0", s.Stage, s.Batches)
		}
	}
	// Rank 50 is the top of the 1–2 ms bucket; rank 99 the top of the 2–3 ms one.
	if store.Batches != 100 || store.P50 != 2*time.Millisecond || store.P99 != 3*time.Millisecond {
		t.Errorf("store = %+v, want 100 batches, p50 2ms, p99 3ms", store)
	}
}

// The slowest nudges' latency is split where they spent it.
func TestSplitAtWriteFindsWhichSideTheTailIsOn(t *testing.T) {
	var lat, upTo []time.Duration
	for range 99 { // 10 ms each, 6 of them before relance's write call
		lat, upTo = append(lat, 10*time.Millisecond), append(upTo, 6*time.Millisecond)
	}
	lat, upTo = append(lat, 100*time.Millisecond), append(upTo, 90*time.Millisecond) // the slowest
	var l Latency
	l.splitAtWrite(lat, upTo)
	if l.SlowestUpToWrite != 90*time.Millisecond || l.SlowestAfterWrite != 10*time.Millisecond {
		t.Errorf("slowest 1%%: %s up to the write + %s after, want 90ms + 10ms", l.SlowestUpToWrite, l.SlowestAfterWrite)
	}
	if l.P99UpToWrite != 6*time.Millisecond || l.P99AfterWrite != 4*time.Millisecond {
		t.Errorf("p99 %s up to the write, %s after, want 6ms and 4ms", l.P99UpToWrite, l.P99AfterWrite)
	}
}
