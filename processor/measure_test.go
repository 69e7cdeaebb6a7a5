package processor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/processor"
)

// TestMeasureRemoteClassifier is a measurement, not a check: relance's throughput, end to
// end (Kafka in, Redis, Kafka out, commits), on messages that all carry text, with the
// built-in check alone, with a remote classifier that answers every call in 50 ms, and
// with one that never answers (every call times out, the circuit breaker opens). Run it
// with RELANCE_MEASURE=1 go test -run TestMeasureRemoteClassifier -v ./processor/
func TestMeasureRemoteClassifier(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("a measurement: set RELANCE_MEASURE=1 to run it")
	}
	for _, c := range []struct {
		name  string
		delay time.Duration // < 0: never answers
		n     int
	}{
		{"built-in check only", 0, 60_000},
		{"remote answers in 50ms", 50 * time.Millisecond, 6000},
		{"remote never answers", -1, 60_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			var remote content.RemoteConfig
			if c.delay != 0 {
				stop := make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if c.delay < 0 {
						select { // never answers
						case <-r.Context().Done():
						case <-stop:
						}
						return
					}
					select { // the model's latency
					case <-time.After(c.delay):
						_, _ = w.Write([]byte(`{"categories":[]}`))
					case <-r.Context().Done():
					}
				}))
				t.Cleanup(func() {
					close(stop)
					srv.Close()
				})
				remote = content.RemoteConfig{URL: srv.URL}
			}
			var msgs []kafka.Message
			n := c.n
			for i := range n {
				ev := msg(fmt.Sprintf("m-%d", i), fmt.Sprintf("u-%d", i%500), fmt.Sprintf("v-%d", i%97), i%600)
				ev.Text = "Salut, tu as passé une bonne journée ? On se voit samedi ?"
				v, _ := json.Marshal(ev)
				msgs = append(msgs, kafka.Message{Key: []byte(ev.SenderID), Value: v})
			}
			testenv.Produce(t, e.brokers, e.names.MessageSent, msgs...)

			rel, err := setup.New(context.Background(), setup.Config{
				Processor:     processor.Config{Brokers: e.brokers, GroupID: e.group, Topics: e.names},
				Redis:         connect.Redis{Addrs: []string{e.rdb.Options().Addr}},
				ContentRemote: remote,
			}, setup.WithLogger(zap.NewNop()))
			if err != nil {
				t.Fatal(err)
			}
			defer rel.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- rel.Processor.Run(ctx) }()
			client := newClient(e)
			poll := time.NewTicker(20 * time.Millisecond)
			defer poll.Stop()
			for deadline := time.Now().Add(5 * time.Minute); ; <-poll.C {
				if behind, err := e.uncommitted(client); err == nil && behind == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("not caught up after 5 minutes")
				}
			}
			took := time.Since(start)
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d messages with text in %s: %.0f events/s", c.name, n, took.Round(time.Millisecond), float64(n)/took.Seconds())
		})
	}
}
