package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/relance/relance/content"
	"github.com/relance/relance/metrics"
)

// A remote classifier that keeps failing: the scrape shows the built-in check answering
// for it, and its breaker open, so that an operator can alert on it.
func TestRemoteClassifierFallbacksAndBreakerAreExported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	remote, err := content.NewRemote(content.RemoteConfig{URL: srv.URL, BreakerFailures: 2, BreakerCooldown: time.Hour}, content.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	m := metrics.New()
	if err := m.WatchRemoteClassifier(remote); err != nil {
		t.Fatal(err)
	}
	scrape := func() (fallbacks, open float64) {
		got := gather(t, m)
		return got["relance_content_remote_fallbacks_total"].GetMetric()[0].GetCounter().GetValue(),
			got["relance_content_remote_breaker_open"].GetMetric()[0].GetGauge().GetValue()
	}
	if f, o := scrape(); f != 0 || o != 0 {
		t.Fatalf("before any check: fallbacks %v, breaker open %v, want 0 and 0", f, o)
	}
	for range 3 { // two failures open the breaker; the third check does not call
		if _, err := remote.Check(context.Background(), "see you tomorrow", "en"); err != nil {
			t.Fatal(err)
		}
	}
	if f, o := scrape(); f != 3 || o != 1 {
		t.Errorf("after 3 checks on a failing service: fallbacks %v, breaker open %v, want 3 and 1", f, o)
	}
	problems, err := promlint.NewWithMetricFamilies(relanceFamilies(gather(t, m))).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
	if err := m.WatchRemoteClassifier(remote); err == nil {
		t.Error("a second remote classifier on the same metrics: no error")
	}
}
