package metrics_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/relance/relance/metrics"
)

// closedSet are the metrics whose series New creates at zero.
var closedSet = []string{
	"relance_nudges_total",
	"relance_alerts_total",
	"relance_kafka_call_seconds",
	"relance_batch_size",
	"relance_ready",
}

// runtimeLabelled are the metrics whose label values (topic, partition, op) are only
// known once the processor runs.
var runtimeLabelled = []string{
	"relance_events_consumed_total",
	"relance_dead_letters_total",
	"relance_redis_call_seconds",
	"relance_consumer_lag",
	"relance_retries_total",
	"relance_nudge_outcomes_total",
	"relance_shadow_nudges_total",
	"relance_shadow_alerts_total",
}

func gather(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	byName := make(map[string]*dto.MetricFamily, len(mfs))
	for _, mf := range mfs {
		byName[mf.GetName()] = mf
	}
	return byName
}

func TestNewGathersClosedSetAndRuntimeCollectors(t *testing.T) {
	got := gather(t, metrics.New())
	for _, name := range append(slices.Clone(closedSet), "go_goroutines", "process_start_time_seconds") {
		if _, ok := got[name]; !ok {
			t.Errorf("fresh New() does not gather %s", name)
		}
	}
	nudges := got["relance_nudges_total"].GetMetric()
	if len(nudges) != 3 {
		t.Errorf("relance_nudges_total has %d series at start, want 3 (one per kind)", len(nudges))
	}
}

func TestAllMetricsOnceUsed(t *testing.T) {
	m := metrics.New()
	m.EventsConsumed.WithLabelValues("message-sent", "counted").Inc()
	m.DeadLetters.WithLabelValues("reply").Inc()
	m.RedisSeconds.WithLabelValues("apply").Observe(0.002)
	m.ConsumerLag.WithLabelValues("message-sent", "0").Set(12)
	m.Retries.WithLabelValues("redis").Inc()
	m.NudgeOutcomes.WithLabelValues("default-1", "answered").Inc()
	m.ShadowNudges.WithLabelValues("candidate-1", "check_in").Inc()
	m.ShadowAlerts.WithLabelValues("candidate-1", "high").Inc()

	got := gather(t, m)
	for _, name := range append(slices.Clone(closedSet), runtimeLabelled...) {
		mf, ok := got[name]
		if !ok {
			t.Errorf("%s not gathered", name)
			continue
		}
		if len(mf.GetHelp()) < 20 {
			t.Errorf("%s has help %q: say what it means", name, mf.GetHelp())
		}
	}
	problems, err := promlint.NewWithMetricFamilies(relanceFamilies(got)).Lint()
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

func TestTwoInstancesDoNotConflict(t *testing.T) {
	a, b := metrics.New(), metrics.New() // MustRegister would panic on a shared registry
	a.Nudges.WithLabelValues("check_in").Inc()
	if got := value(b.Nudges.WithLabelValues("check_in")); got != 0 {
		t.Errorf("second instance sees %v check-ins from the first, want 0", got)
	}
	if a.Registry() == b.Registry() {
		t.Error("two instances share a registry")
	}
}

func TestHandlerServesPrivateRegistry(t *testing.T) {
	m := metrics.New()
	m.Alerts.WithLabelValues("high").Inc()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil || rec.Code != 200 {
		t.Fatalf("status %d, read error %v", rec.Code, err)
	}
	if !strings.Contains(string(body), `relance_alerts_total{severity="high"} 1`) {
		t.Errorf("exposition lacks the high alert:\n%s", body)
	}
}

// New gives a private registry; Handler serves it. Series with known label values start at 0.
func ExampleNew() {
	m := metrics.New()
	m.Alerts.WithLabelValues("high").Inc()

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "relance_alerts_total{") {
			fmt.Print(line)
		}
	}
	// Output:
	// relance_alerts_total{severity="high"} 1
	// relance_alerts_total{severity="low"} 0
	// relance_alerts_total{severity="medium"} 0
}

// value reads a counter's or gauge's current value.
func value(c prometheus.Metric) float64 {
	var out dto.Metric
	if err := c.Write(&out); err != nil {
		panic(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}

func relanceFamilies(byName map[string]*dto.MetricFamily) []*dto.MetricFamily {
	var out []*dto.MetricFamily
	for name, mf := range byName {
		if strings.HasPrefix(name, "relance_") {
			out = append(out, mf)
		}
	}
	return out
}
