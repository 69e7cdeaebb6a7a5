package content_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

func newRemote(t *testing.T, handler http.HandlerFunc, cfg content.RemoteConfig) (*content.Remote, *stubChecker, *observer.ObservedLogs) {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL + "/classify"
	fallback := &stubChecker{}
	core, logs := observer.New(zap.DebugLevel)
	r, err := content.NewRemote(cfg, fallback, content.WithLogger(zap.New(core)))
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
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", cfg)
		}
		if _, err := content.NewRemote(cfg, nil); err == nil {
			t.Errorf("NewRemote(%+v) succeeded", cfg)
		}
	}
	if err := (content.RemoteConfig{URL: "https://classifier.internal/v1/check"}).Validate(); err != nil {
		t.Error(err)
	}
}
