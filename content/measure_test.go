package content_test

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
)

// TestMeasureRemote measures the throughput of policy.CheckTexts over a Remote, in batches
// of 1000 texts of the corpora, against a service that answers after 50 ms and one that
// never answers (every call times out). It takes about 80 s and asserts nothing:
//
//	RELANCE_MEASURE=1 go test -run TestMeasureRemote -v ./content/
func TestMeasureRemote(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("set RELANCE_MEASURE=1 to measure the remote classifier's throughput (about 80 s)")
	}
	var texts []policy.Text
	for len(texts) < 1000 {
		for _, lang := range []string{"fr", "en"} {
			for _, s := range readCorpus(t, lang) {
				texts = append(texts, policy.Text{Text: s.text, Locale: lang})
			}
		}
	}
	texts = texts[:1000]

	answers50ms := func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		select {
		case <-time.After(50 * time.Millisecond):
			io.WriteString(w, `{"categories":[]}`)
		case <-req.Context().Done():
		}
	}
	neverAnswers := func(_ http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body) // then the server notices when the client gives up
		<-req.Context().Done()
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		cfg     content.RemoteConfig
		minTime time.Duration // batches run until then, at least one
	}{
		{"answers in 50 ms, concurrency 32 (default)", answers50ms, content.RemoteConfig{}, 5 * time.Second},
		{"answers in 50 ms, concurrency 1 (serial)", answers50ms, content.RemoteConfig{Concurrency: 1}, 0},
		// Over two cooldowns of the breaker, so two trial calls.
		{"never answers, breaker (default)", neverAnswers, content.RemoteConfig{}, 11 * time.Second},
		{"never answers, no breaker", neverAnswers, content.RemoteConfig{BreakerFailures: math.MaxInt}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				calls.Add(1)
				tt.handler(w, req)
			}))
			cfg := tt.cfg
			cfg.URL = srv.URL
			r, err := content.NewRemote(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			var batches int
			var first time.Duration
			start := time.Now()
			for batches == 0 || time.Since(start) < tt.minTime {
				b := time.Now()
				if _, err := policy.CheckTexts(t.Context(), r, texts); err != nil {
					t.Fatal(err)
				}
				if batches == 0 {
					first = time.Since(b)
				}
				batches++
			}
			elapsed := time.Since(start)
			r.Close()
			srv.Close()
			n := batches * len(texts)
			t.Logf("%d batches of %d texts in %v: %.0f texts/s (first batch %v); %d calls, %d fallbacks",
				batches, len(texts), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
				first.Round(time.Millisecond), calls.Load(), r.Fallbacks())
		})
	}
}
