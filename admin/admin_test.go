package admin_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/admin"
	"github.com/relance/relance/metrics"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const checkTimeout = 100 * time.Millisecond

// start runs a server on a free local port until the test ends, and returns its base URL
// and a client whose connections are closed at the end.
func start(t *testing.T, m *metrics.Metrics, checks map[string]admin.Check) (string, *http.Client) {
	t.Helper()
	s := admin.New("127.0.0.1:0", m, checks, admin.WithLogger(zaptest.NewLogger(t)), admin.WithCheckTimeout(checkTimeout))
	if err := s.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	transport := &http.Transport{}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return "http://" + s.Addr(), &http.Client{Transport: transport, Timeout: 5 * time.Second}
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

func pass(context.Context) error { return nil }

func fail(msg string) admin.Check {
	return func(context.Context) error { return errors.New(msg) }
}

// blockUntilDone honours its context, like a well-behaved network call to a dead host.
func blockUntilDone(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestHealthz(t *testing.T) {
	base, c := start(t, nil, map[string]admin.Check{"redis": fail("down")})
	status, body := get(t, c, base+"/healthz")
	if status != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 \"ok\\n\" even when not ready", status, body)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		checks     map[string]admin.Check
		wantStatus int
		wantBody   string // regexp of the whole body
	}{
		{
			name:       "all pass",
			checks:     map[string]admin.Check{"redis": pass, "kafka": pass},
			wantStatus: http.StatusOK,
			wantBody:   "kafka: ok\nredis: ok\n",
		},
		{
			name:       "one fails",
			checks:     map[string]admin.Check{"redis": fail("dial tcp 10.0.0.1:6379: connection refused"), "kafka": pass},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   `redis: dial tcp 10\.0\.0\.1:6379: connection refused\n`,
		},
		{
			name:       "both fail, multi-line error kept on one line",
			checks:     map[string]admin.Check{"redis": fail("down"), "kafka": fail("metadata:\n  no brokers")},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   "kafka: metadata: no brokers\nredis: down\n",
		},
		{
			name:       "check blocks past the timeout",
			checks:     map[string]admin.Check{"kafka": blockUntilDone, "redis": pass},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   `kafka: (no answer within 100ms|context deadline exceeded)\n`,
		},
		{
			name:       "check panics",
			checks:     map[string]admin.Check{"kafka": func(context.Context) error { panic("boom") }},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   "kafka: check panicked: boom\n",
		},
		{
			name:       "no checks",
			checks:     nil,
			wantStatus: http.StatusOK,
			wantBody:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, c := start(t, nil, tt.checks)
			status, body := get(t, c, base+"/readyz")
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d (body %q)", status, tt.wantStatus, body)
			}
			if !regexp.MustCompile(`\A` + tt.wantBody + `\z`).MatchString(body) {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestReadyzAnswersWhenACheckIgnoresItsContext(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // lets the stuck check's goroutine end before goleak looks
	stuck := func(context.Context) error { <-release; return nil }
	base, c := start(t, nil, map[string]admin.Check{"kafka": stuck})

	begin := time.Now()
	status, body := get(t, c, base+"/readyz")
	if status != http.StatusServiceUnavailable || body != "kafka: no answer within 100ms\n" {
		t.Errorf("GET /readyz = %d %q, want 503 naming kafka", status, body)
	}
	if elapsed := time.Since(begin); elapsed > 2*time.Second {
		t.Errorf("readyz took %s with a %s check timeout", elapsed, checkTimeout)
	}
}

func TestReadyzRunsChecksConcurrently(t *testing.T) {
	// Each check waits for the other to have started: run one after the other, both
	// would time out.
	started := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}
	waitFor := func(self, other string) admin.Check {
		return func(ctx context.Context) error {
			close(started[self])
			select {
			case <-started[other]:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	base, c := start(t, nil, map[string]admin.Check{"a": waitFor("a", "b"), "b": waitFor("b", "a")})
	if status, body := get(t, c, base+"/readyz"); status != http.StatusOK {
		t.Errorf("GET /readyz = %d %q, want 200", status, body)
	}
}

func TestMetricsAndReadyGauge(t *testing.T) {
	m := metrics.New()
	var healthy atomic.Bool
	check := func(context.Context) error {
		if healthy.Load() {
			return nil
		}
		return errors.New("down")
	}
	base, c := start(t, m, map[string]admin.Check{"redis": check})

	steps := []struct {
		healthy   bool
		wantReady string
	}{
		{true, "relance_ready 1\n"},
		{false, "relance_ready 0\n"},
	}
	for _, step := range steps {
		healthy.Store(step.healthy)
		get(t, c, base+"/readyz")
		status, body := get(t, c, base+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics = %d", status)
		}
		for _, want := range []string{step.wantReady, "# HELP relance_alerts_total ", `relance_nudges_total{kind="check_in"} 0`, "go_goroutines "} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	}
}

func TestStartReportsPortInUse(t *testing.T) {
	first := admin.New("127.0.0.1:0", nil, nil)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(context.Background())

	second := admin.New(first.Addr(), nil, nil)
	if err := second.Start(); err == nil {
		second.Shutdown(context.Background())
		t.Fatalf("second server on %s started, want a listen error", first.Addr())
	}
	if err := second.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown of a server that never started: %v", err)
	}
}

func TestOnlyGet(t *testing.T) {
	base, c := start(t, nil, nil)
	resp, err := c.Post(base+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", resp.StatusCode)
	}
}
