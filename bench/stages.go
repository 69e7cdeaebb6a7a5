package bench

import (
	"fmt"
	"math"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/relance/relance/metrics"
)

// StageLatency is one of relance's stages (metrics.Stages) over a run: quantiles of the
// time its batches spent there.
type StageLatency struct {
	Stage    string
	Batches  uint64
	P50, P99 time.Duration
}

// Stages reads relance_stage_seconds from m, in metrics.Stages' order, its quantiles
// estimated as Prometheus's histogram_quantile does (linearly within a bucket), so the
// figures are those an operator's dashboard shows.
func Stages(m *metrics.Metrics) ([]StageLatency, error) {
	families, err := m.Registry().Gather()
	if err != nil {
		return nil, err
	}
	byStage := map[string]*dto.Histogram{}
	for _, f := range families {
		if f.GetName() != "relance_stage_seconds" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "stage" {
					byStage[l.GetValue()] = mt.GetHistogram()
				}
			}
		}
	}
	out := make([]StageLatency, 0, len(metrics.Stages))
	for _, s := range metrics.Stages {
		h := byStage[s]
		if h == nil {
			return nil, fmt.Errorf("relance_stage_seconds has no stage %q", s)
		}
		out = append(out, StageLatency{Stage: s, Batches: h.GetSampleCount(),
			P50: quantile(h, 0.5), P99: quantile(h, 0.99)})
	}
	return out, nil
}

// quantile is histogram_quantile(q) of h: the bucket holding rank q×count, interpolated
// linearly between its bounds; the highest finite bound if that rank is past them.
func quantile(h *dto.Histogram, q float64) time.Duration {
	n := float64(h.GetSampleCount())
	if n == 0 {
		return 0
	}
	rank := q * n
	lower, below := 0.0, 0.0
	for _, b := range h.GetBucket() {
		upper, count := b.GetUpperBound(), float64(b.GetCumulativeCount())
		if count >= rank {
			if math.IsInf(upper, 1) {
				return seconds(lower)
			}
			return seconds(lower + (upper-lower)*(rank-below)/(count-below))
		}
		lower, below = upper, count
	}
	return seconds(lower)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
