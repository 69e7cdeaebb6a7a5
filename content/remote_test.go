package content_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
)

// stubChecker answers a fixed set of categories, so a test can tell the fallback answered.
type stubChecker struct{ calls atomic.Int32 }

func (s *stubChecker) Check(context.Context, string, string) ([]policy.Category, error) {
	s.calls.Add(1)
	return []policy.Category{policy.CategoryThreat}, nil
}

func newRemote(t *testing.T, handler http.HandlerFunc, cfg content.RemoteConfig, opts ...content.RemoteOption) (*content.Remote, *stubChecker, *observer.ObservedLogs) {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL + "/classify"
	fallback := &stubChecker{}
	core, logs := observer.New(zap.DebugLevel)
	r, err := content.NewRemote(cfg, fallback, append([]content.RemoteOption{content.WithLogger(zap.New(core))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r, fallback, logs
}

func TestRemoteSendsTheProtocolAndUsesTheAnswer(t *testing.T) {
	var got struct{ Text, Locale string }
	r, fallback, _ := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/classify" || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s %q", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
		}
		if err := json.NewDecoder(req.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		io.WriteString(w, `{"categories":["sexual","insult","insult"],"model":"v7"}`)
	}, content.RemoteConfig{})

	if cats, err := r.Check(t.Context(), "un message", "fr-FR"); !slices.Equal(cats, []policy.Category{insult, sexual}) || err != nil {
		t.Errorf("Check = %v, %v; want [insult sexual]", cats, err)
	}
	if got.Text != "un message" || got.Locale != "fr-FR" {
		t.Errorf("the service received %+v", got)
	}
	if fallback.calls.Load() != 0 || r.Fallbacks() != 0 {
		t.Errorf("fallback called %d times", fallback.calls.Load())
	}
}

func TestRemoteCleanAnswerIsNil(t *testing.T) {
	r, _, _ := newRemote(t, func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"categories":[]}`)
	}, content.RemoteConfig{})
	if cats, err := r.Check(t.Context(), "salut", "fr"); cats != nil || err != nil {
		t.Errorf("Check = %v, %v; want nil", cats, err)
	}
}

func TestRemoteFallsBack(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"timeout", func(w http.ResponseWriter, req *http.Request) {
			io.Copy(io.Discard, req.Body) // then the server notices when the client gives up
			select {
			case <-req.Context().Done():
			case <-time.After(2 * time.Second):
			}
			io.WriteString(w, `{"categories":[]}`)
		}},
		{"server error", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "model not loaded", http.StatusInternalServerError)
		}},
		{"garbage", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "<html>bonjour</html>")
		}},
		{"unknown category", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"categories":["spam"]}`)
		}},
		{"no categories field", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"labels":["insult"]}`)
		}},
		{"wrong type", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"categories":"insult"}`)
		}},
		{"response too long", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"categories":[],"padding":"`+strings.Repeat("x", 2048)+`"}`)
		}},
		{"no content", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, fallback, logs := newRemote(t, tt.handler, content.RemoteConfig{Timeout: 50 * time.Millisecond, MaxResponseBytes: 1024})
			start := time.Now()
			cats, err := r.Check(t.Context(), "ZORGLUB-SECRET text", "fr")
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("Check took %v with a 50ms timeout", elapsed)
			}
			if !slices.Equal(cats, []policy.Category{threat}) || err != nil || fallback.calls.Load() != 1 || r.Fallbacks() != 1 {
				t.Errorf("Check = %v, %v, fallback calls %d, Fallbacks %d: want the fallback's answer", cats, err, fallback.calls.Load(), r.Fallbacks())
			}
			if logs.Len() != 1 || logs.All()[0].Level != zap.WarnLevel {
				t.Fatalf("logs: %v, want one warning", logs.All())
			}
			for _, e := range logs.All() {
				if strings.Contains(e.Message, "ZORGLUB") || strings.Contains(e.ContextMap()["error"].(string), "ZORGLUB") {
					t.Errorf("the log carries the text: %v", e)
				}
			}
			r.Check(t.Context(), "again", "fr")
			if logs.Len() != 2 || logs.All()[1].Level != zap.DebugLevel {
				t.Errorf("second failure logged as %v, want debug", logs.All()[1:])
			}
		})
	}
}

func TestRemoteDefaultFallbackIsTheBuiltInCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	r, err := content.NewRemote(content.RemoteConfig{URL: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if cats, err := r.Check(t.Context(), "espèce de connard", "fr"); !slices.Equal(cats, []policy.Category{insult}) || err != nil {
		t.Errorf("Check = %v, %v; want the built-in check's [insult]", cats, err)
	}
}

func TestRemoteConfigValidate(t *testing.T) {
	for _, cfg := range []content.RemoteConfig{
		{},
		{URL: "ftp://example.com/x"},
		{URL: "http://"},
		{URL: "://x"},
		{URL: "http://example.com", Timeout: -time.Second},
		{URL: "http://example.com", MaxResponseBytes: -1},
		{URL: "http://example.com", Concurrency: -1},
		{URL: "http://example.com", Concurrency: content.MaxRemoteConcurrency + 1},
		{URL: "http://example.com", BreakerFailures: -1},
		{URL: "http://example.com", BreakerCooldown: -time.Second},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", cfg)
		}
		if _, err := content.NewRemote(cfg, nil); err == nil {
			t.Errorf("NewRemote(%+v) succeeded", cfg)
		}
	}
	for _, cfg := range []content.RemoteConfig{
		{URL: "https://classifier.internal/v1/check"},
		{URL: "http://classifier:8080", Concurrency: 1},
		{URL: "http://classifier:8080", Concurrency: content.MaxRemoteConcurrency, BreakerFailures: 1, BreakerCooldown: time.Minute},
	} {
		if err := cfg.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// fakeClock is a breaker clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waitClosed blocks until ch is closed, failing the test past a deadline.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for %s", what)
	}
}

// inFlightServer answers `{"categories":["insult"]}` once want requests are in flight
// together (then at once), and measures the most it saw.
type inFlightServer struct {
	want                  int32
	inFlight, maxInFlight atomic.Int32
	calls                 atomic.Int32
	reached               chan struct{}
	once                  sync.Once
}

func newInFlightServer(want int32) *inFlightServer {
	return &inFlightServer{want: want, reached: make(chan struct{})}
}

func (s *inFlightServer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	io.Copy(io.Discard, req.Body) // then the server notices when the client gives up
	s.calls.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxInFlight.Load(); n > m && !s.maxInFlight.CompareAndSwap(m, n); m = s.maxInFlight.Load() {
	}
	if n >= s.want {
		s.once.Do(func() { close(s.reached) })
	}
	select {
	case <-s.reached:
	case <-req.Context().Done():
		return
	}
	io.WriteString(w, `{"categories":["insult"]}`)
}

func batch(n int) []policy.Text {
	out := make([]policy.Text, n)
	for i := range out {
		out[i] = policy.Text{Text: fmt.Sprint("message ", i), Locale: "fr"}
	}
	return out
}

func TestRemoteCallsOverlapUpToConcurrency(t *testing.T) {
	const concurrency = 8
	tests := []struct {
		name    string
		batches int
	}{
		{"one batch", 1},
		// The client's connections are the bound across batches.
		{"two batches at once", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Until concurrency requests are in flight the server answers nothing, and the
			// timeout is long: calls that did not overlap would time out and fall back.
			srv := newInFlightServer(concurrency)
			r, fallback, _ := newRemote(t, srv.ServeHTTP, content.RemoteConfig{Concurrency: concurrency, Timeout: 10 * time.Second})
			if r.Concurrency() != concurrency {
				t.Fatalf("Concurrency = %d", r.Concurrency())
			}
			var wg sync.WaitGroup
			for range tt.batches {
				wg.Go(func() {
					got, err := policy.CheckTexts(t.Context(), r, batch(100))
					if err != nil || len(got) != 100 {
						t.Errorf("CheckTexts: %d results, %v", len(got), err)
					}
					for i, cats := range got {
						if !slices.Equal(cats, []policy.Category{insult}) {
							t.Errorf("result %d = %v, want the service's [insult]", i, cats)
						}
					}
				})
			}
			wg.Wait()
			if m := srv.maxInFlight.Load(); m != concurrency {
				t.Errorf("at most %d calls in flight, want %d", m, concurrency)
			}
			if srv.calls.Load() != int32(100*tt.batches) || fallback.calls.Load() != 0 {
				t.Errorf("%d calls, %d fallbacks for %d texts", srv.calls.Load(), fallback.calls.Load(), 100*tt.batches)
			}
		})
	}
}

// switchServer fails with 503 or answers `{"categories":[]}`, as told, and counts calls.
type switchServer struct {
	healthy atomic.Bool
	calls   atomic.Int32
}

func (s *switchServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.calls.Add(1)
	if !s.healthy.Load() {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, `{"categories":[]}`)
}

// checkAnswers checks one text and says whether the service answered (not the fallback).
func checkAnswers(t *testing.T, r *content.Remote) bool {
	t.Helper()
	cats, err := r.Check(t.Context(), "ZORGLUB-SECRET", "fr")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return !slices.Equal(cats, []policy.Category{threat})
}

func TestRemoteBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	srv := &switchServer{}
	clock := newFakeClock()
	r, fallback, logs := newRemote(t, srv.ServeHTTP, content.RemoteConfig{BreakerFailures: 3, BreakerCooldown: time.Minute}, content.WithClock(clock.Now))

	for i := range 3 {
		if r.BreakerOpen() {
			t.Fatalf("breaker open after %d failures", i)
		}
		if checkAnswers(t, r) {
			t.Fatal("a failing service answered")
		}
	}
	if !r.BreakerOpen() || srv.calls.Load() != 3 {
		t.Fatalf("after 3 failures: breaker open %v, %d calls", r.BreakerOpen(), srv.calls.Load())
	}
	srv.healthy.Store(true) // the breaker does not know yet
	clock.Advance(time.Minute - time.Nanosecond)
	for range 20 {
		if checkAnswers(t, r) {
			t.Fatal("the service answered while the breaker is open")
		}
	}
	if srv.calls.Load() != 3 || fallback.calls.Load() != 23 || r.Fallbacks() != 23 {
		t.Errorf("while open: %d calls (want 3), %d fallbacks, Fallbacks %d (want 23)", srv.calls.Load(), fallback.calls.Load(), r.Fallbacks())
	}
	var levels []string
	for _, e := range logs.All() {
		levels = append(levels, e.Level.String())
		if strings.Contains(e.Message, "ZORGLUB") || strings.Contains(fmt.Sprint(e.ContextMap()), "ZORGLUB") {
			t.Errorf("the log carries the text: %v", e)
		}
	}
	if want := []string{"warn", "debug", "warn"}; !slices.Equal(levels, want) || !strings.Contains(logs.All()[2].Message, "breaker open") {
		t.Errorf("logs %v, want levels %v, the last one the breaker opening", logs.All(), want)
	}
}

func TestRemoteBreakerTrialAfterCooldown(t *testing.T) {
	tests := []struct {
		name         string
		trialHealthy bool
		wantOpen     bool
		wantLog      string // the last log's message contains it
	}{
		{"trial answers: breaker closed", true, false, "breaker closed"},
		{"trial fails: open for another cooldown", false, true, "open again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &switchServer{}
			clock := newFakeClock()
			r, _, logs := newRemote(t, srv.ServeHTTP, content.RemoteConfig{BreakerFailures: 2, BreakerCooldown: time.Minute}, content.WithClock(clock.Now))
			checkAnswers(t, r)
			checkAnswers(t, r)
			if !r.BreakerOpen() {
				t.Fatal("breaker closed after 2 failures")
			}
			srv.healthy.Store(tt.trialHealthy)
			clock.Advance(time.Minute)
			if got := checkAnswers(t, r); got != tt.trialHealthy || srv.calls.Load() != 3 {
				t.Fatalf("trial: answered %v, %d calls; want %v, 3 calls", got, srv.calls.Load(), tt.trialHealthy)
			}
			if r.BreakerOpen() != tt.wantOpen {
				t.Errorf("after the trial: breaker open %v, want %v", r.BreakerOpen(), tt.wantOpen)
			}
			if last := logs.All()[logs.Len()-1]; !strings.Contains(last.Message, tt.wantLog) {
				t.Errorf("last log %q, want %q", last.Message, tt.wantLog)
			}

			// Closed, the service is called; open again, only after another cooldown.
			srv.healthy.Store(true)
			if got := checkAnswers(t, r); got == tt.wantOpen {
				t.Errorf("after the trial: answered %v", got)
			}
			clock.Advance(time.Minute)
			if !checkAnswers(t, r) || r.BreakerOpen() {
				t.Errorf("after another cooldown: the service did not answer or the breaker is open")
			}
		})
	}
}

func TestRemoteBreakerHalfOpenLetsOneTrialThrough(t *testing.T) {
	var calls atomic.Int32
	var fail atomic.Bool
	fail.Store(true)
	inTrial, release := make(chan struct{}), make(chan struct{})
	clock := newFakeClock()
	r, fallback, _ := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		calls.Add(1)
		if fail.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		close(inTrial)
		select {
		case <-release:
		case <-req.Context().Done():
		}
		io.WriteString(w, `{"categories":[]}`)
	}, content.RemoteConfig{BreakerFailures: 1, BreakerCooldown: time.Minute, Timeout: 10 * time.Second}, content.WithClock(clock.Now))

	checkAnswers(t, r) // opens the breaker
	fail.Store(false)
	clock.Advance(time.Minute)
	trialDone := make(chan bool, 1) // so that the trial's goroutine ends if the test fails first
	go func() {
		cats, err := r.Check(t.Context(), "trial", "fr") // t.Context ends the trial if the test fails
		trialDone <- err == nil && cats == nil
	}()
	waitClosed(t, inTrial, "the trial call")
	for range 5 {
		if checkAnswers(t, r) {
			t.Fatal("a call went through beside the trial")
		}
	}
	close(release)
	if !<-trialDone {
		t.Error("the trial did not get the service's answer")
	}
	if calls.Load() != 2 || fallback.calls.Load() != 6 || r.BreakerOpen() {
		t.Errorf("%d calls (want 2), %d fallbacks (want 6), breaker open %v", calls.Load(), fallback.calls.Load(), r.BreakerOpen())
	}
}

func TestRemoteBreakerTrialGivenUpLetsTheNextCallTry(t *testing.T) {
	var calls atomic.Int32
	received := make(chan struct{})
	clock := newFakeClock()
	// The first call fails, the second (the trial) waits for the client to give up, the
	// next ones answer.
	r, _, _ := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		switch calls.Add(1) {
		case 1:
			http.Error(w, "down", http.StatusBadGateway)
		case 2:
			close(received)
			<-req.Context().Done()
		default:
			io.WriteString(w, `{"categories":[]}`)
		}
	}, content.RemoteConfig{BreakerFailures: 1, BreakerCooldown: time.Minute, Timeout: 10 * time.Second}, content.WithClock(clock.Now))

	checkAnswers(t, r)
	clock.Advance(time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-received
		cancel()
	}()
	if _, err := r.Check(ctx, "trial", "fr"); !errors.Is(err, context.Canceled) {
		t.Fatalf("trial given up: Check error %v, want context.Canceled", err)
	}
	if !r.BreakerOpen() {
		t.Fatal("a trial given up closed the breaker")
	}
	if !checkAnswers(t, r) || calls.Load() != 3 || r.BreakerOpen() {
		t.Errorf("the next call: %d calls, breaker open %v; want it to be the trial, and to close the breaker", calls.Load(), r.BreakerOpen())
	}
}

func TestRemoteCtxEndsTheCheckWithoutFallback(t *testing.T) {
	tests := []struct {
		name string
		// ctx returns the check's context and the error the check must return; the
		// server sends on received when it has the request.
		ctx       func(received <-chan struct{}) (context.Context, context.CancelFunc, error)
		wantCalls int32
	}{
		{"cancelled during the call", func(received <-chan struct{}) (context.Context, context.CancelFunc, error) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-received:
				case <-time.After(10 * time.Second): // and the test fails
				}
				cancel()
			}()
			return ctx, cancel, context.Canceled
		}, 1},
		{"deadline during the call", func(<-chan struct{}) (context.Context, context.CancelFunc, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			return ctx, cancel, context.DeadlineExceeded
		}, 1},
		{"cancelled before the call", func(<-chan struct{}) (context.Context, context.CancelFunc, error) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel, context.Canceled
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			received := make(chan struct{})
			// The service answers only when the client gives up; the timeout is far.
			r, fallback, _ := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
				io.Copy(io.Discard, req.Body)
				calls.Add(1)
				select {
				case received <- struct{}{}:
				case <-req.Context().Done():
				}
				<-req.Context().Done()
			}, content.RemoteConfig{Timeout: 10 * time.Second, BreakerFailures: 1})
			for range 3 { // never counted as the service failing
				ctx, cancel, wantErr := tt.ctx(received)
				cats, err := r.Check(ctx, "texte", "fr")
				cancel()
				if !errors.Is(err, wantErr) || cats != nil {
					t.Fatalf("Check = %v, %v; want %v and no answer", cats, err, wantErr)
				}
			}
			if fallback.calls.Load() != 0 || r.Fallbacks() != 0 || r.BreakerOpen() {
				t.Errorf("%d fallbacks, breaker open %v: ctx ending is no failure of the service", fallback.calls.Load(), r.BreakerOpen())
			}
			if calls.Load() != 3*tt.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), 3*tt.wantCalls)
			}
		})
	}
}

func TestRemoteCheckTextsEndsWithCtx(t *testing.T) {
	const concurrency = 4
	var calls, inFlight atomic.Int32
	full := make(chan struct{})
	r, fallback, _ := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		calls.Add(1)
		if inFlight.Add(1) == concurrency {
			close(full)
		}
		<-req.Context().Done() // never answers
	}, content.RemoteConfig{Concurrency: concurrency, Timeout: 10 * time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		select {
		case <-full:
		case <-time.After(10 * time.Second): // and the test fails
		}
		cancel()
	}()
	got, err := policy.CheckTexts(ctx, r, batch(50))
	if !errors.Is(err, context.Canceled) || got != nil {
		t.Errorf("CheckTexts = %v, %v; want context.Canceled", got, err)
	}
	if fallback.calls.Load() != 0 || calls.Load() != concurrency {
		t.Errorf("%d fallbacks, %d calls: want none and %d", fallback.calls.Load(), calls.Load(), concurrency)
	}
}
