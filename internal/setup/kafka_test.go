package setup_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

// secureBroker is a broker for one test with Kafka settings that reach it.
type secureBroker struct {
	cfg   testenv.BrokerConfig
	kafka connect.Kafka
}

func startBroker(t *testing.T, b secureBroker, names topics.Names) []string {
	t.Helper()
	b.cfg.Topics = names.All()
	broker := testenv.NewBroker(b.cfg)
	if err := broker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = broker.Stop() })
	return []string{broker.Addr()}
}

func sasl(mechanism string) secureBroker {
	return secureBroker{
		cfg:   testenv.BrokerConfig{Users: []testenv.SASLUser{{Mechanism: mechanism, User: "relance", Password: "pw-" + mechanism}}},
		kafka: connect.Kafka{SASLMechanism: mechanism, SASLUsername: "relance", SASLPassword: connect.Secret("pw-" + mechanism)},
	}
}

// tlsBroker is a broker with a certificate from a test CA, and settings that verify it
// against the CA file.
func tlsBroker(t *testing.T) secureBroker {
	t.Helper()
	ca, err := testenv.NewCA(t.TempDir(), "kafka")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Issue("broker", "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	return secureBroker{
		cfg:   testenv.BrokerConfig{TLS: &tls.Config{Certificates: []tls.Certificate{pair.Certificate}, MinVersion: tls.VersionTLS12}},
		kafka: connect.Kafka{TLS: connect.TLS{Enabled: true, CAFile: ca.CAFile}},
	}
}

// TestSecuredBrokers plays rule 2 of the default policy (ana sends ben 7 messages a minute
// apart) through each kind of secured broker, relance built as the command builds it, and
// reads the outputs through the same TLS and SASL.
func TestSecuredBrokers(t *testing.T) {
	tests := []struct {
		name   string
		broker func(*testing.T) secureBroker
	}{
		{name: "SASL PLAIN", broker: func(*testing.T) secureBroker { return sasl(connect.SASLPlain) }},
		{name: "SASL SCRAM-SHA-256", broker: func(*testing.T) secureBroker { return sasl(connect.SASLScramSHA256) }},
		{name: "SASL SCRAM-SHA-512", broker: func(*testing.T) secureBroker { return sasl(connect.SASLScramSHA512) }},
		{name: "TLS verified against the CA file", broker: tlsBroker},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			names := topics.Names{}.WithDefaults()
			b := tt.broker(t)
			brokers := startBroker(t, b, names)
			sec, err := b.kafka.Security()
			if err != nil {
				t.Fatal(err)
			}
			rel, err := setup.New(context.Background(), setup.Config{
				Processor: processor.Config{Brokers: brokers, GroupID: "secured", Topics: names,
					SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: time.Second},
				Kafka: b.kafka,
				Redis: connect.Redis{Addrs: []string{testenv.StartRedis(t)}},
			}, setup.WithLogger(zaptest.NewLogger(t)))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- rel.Processor.Run(ctx) }()
			t.Cleanup(func() {
				cancel()
				if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("processor: %v", err)
				}
				rel.Close()
			})

			// 7 messages 10 minutes apart, more than the default burst: 7 attempts.
			base := time.Now().UTC().Add(-2 * time.Hour)
			var msgs []kafka.Message
			for i := 1; i <= 7; i++ {
				value, _ := json.Marshal(topics.MessageSent{MessageID: fmt.Sprintf("m-%d", i), SenderID: "ana", RecipientID: "ben",
					SentAt: base.Add(time.Duration(i) * 10 * time.Minute), Locale: "fr"})
				msgs = append(msgs, kafka.Message{Key: []byte("ana"), Value: value})
			}
			testenv.ProduceWith(t, sec, brokers, names.MessageSent, msgs...)

			var kinds []string
			for _, m := range testenv.ReadTopicWith(t, sec, brokers, names.CoachNudge, 2, 30*time.Second) {
				var n topics.CoachNudge
				if err := json.Unmarshal(m.Value, &n); err != nil {
					t.Fatal(err)
				}
				kinds = append(kinds, n.Kind+" "+n.UserID)
			}
			if got, want := strings.Join(kinds, ","), "follow_up_limit ana,check_in ben"; got != want {
				t.Errorf("nudges %q, want %q", got, want)
			}
			alerts := testenv.ReadTopicWith(t, sec, brokers, names.ModerationAlert, 1, 30*time.Second)
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			var a topics.ModerationAlert
			if err := json.Unmarshal(alerts[0].Value, &a); err != nil {
				t.Fatal(err)
			}
			if a.Severity != topics.SeverityMedium || a.SenderID != "ana" || a.RecipientID != "ben" || a.UnansweredCount != 7 || a.Attempts != 7 {
				t.Errorf("alert %+v, want medium for ana to ben, 7 unanswered in 7 attempts", a)
			}
		})
	}
}

// TestStartupNamesTheKafkaSettingToFix: a setting the broker refuses stops New at once
// with an error naming it, never the password.
func TestStartupNamesTheKafkaSettingToFix(t *testing.T) {
	const password = "pw-7c1e-do-not-print"
	wrongPassword := func(mechanism string) func(*testing.T) (secureBroker, connect.Kafka) {
		return func(*testing.T) (secureBroker, connect.Kafka) {
			b := sasl(mechanism)
			k := b.kafka
			k.SASLPassword = password
			return b, k
		}
	}
	otherCA := func(t *testing.T) (secureBroker, connect.Kafka) {
		b := tlsBroker(t)
		ca, err := testenv.NewCA(t.TempDir(), "other")
		if err != nil {
			t.Fatal(err)
		}
		k := b.kafka
		k.TLS.CAFile = ca.CAFile
		return b, k
	}
	otherName := func(t *testing.T) (secureBroker, connect.Kafka) {
		b := tlsBroker(t)
		k := b.kafka
		k.TLS.ServerName = "kafka.example.com"
		return b, k
	}
	tests := []struct {
		name    string
		setup   func(*testing.T) (secureBroker, connect.Kafka)
		wantErr string
	}{
		{name: "wrong PLAIN password", setup: wrongPassword(connect.SASLPlain), wantErr: "RELANCE_KAFKA_SASL_USERNAME/PASSWORD: SASL authentication failed"},
		{name: "wrong SCRAM-SHA-256 password", setup: wrongPassword(connect.SASLScramSHA256), wantErr: "RELANCE_KAFKA_SASL_USERNAME/PASSWORD: SASL authentication failed"},
		{name: "wrong SCRAM-SHA-512 password", setup: wrongPassword(connect.SASLScramSHA512), wantErr: "RELANCE_KAFKA_SASL_USERNAME/PASSWORD: SASL authentication failed"},
		{name: "a CA that did not sign the broker's certificate", setup: otherCA, wantErr: "RELANCE_KAFKA_TLS_CA_FILE: certificate signed by unknown authority"},
		{name: "a server name the certificate is not for", setup: otherName, wantErr: "RELANCE_KAFKA_TLS_SERVER_NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			names := topics.Names{}.WithDefaults()
			b, k := tt.setup(t)
			brokers := startBroker(t, b, names)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			rel, err := setup.New(ctx, setup.Config{
				Processor: processor.Config{Brokers: brokers, GroupID: "refused", Topics: names},
				Kafka:     k,
				Redis:     connect.Redis{Addrs: []string{testenv.StartRedis(t)}},
			}, setup.WithLogger(zaptest.NewLogger(t)))
			if err == nil {
				rel.Close()
				t.Fatal("New accepted settings the broker refuses")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to say %q", err, tt.wantErr)
			} else {
				t.Log(err)
			}
			if strings.Contains(err.Error(), password) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), password) {
				t.Errorf("the error shows the password: %v", err)
			}
			if d := time.Since(start); d > 6*time.Second {
				t.Errorf("New took %v to refuse", d)
			}
		})
	}
}

// TestStartupWithoutBroker: a broker not listening yet is no reason to stop.
func TestStartupWithoutBroker(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := setup.New(context.Background(), setup.Config{
		Processor: processor.Config{Brokers: []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}, GroupID: "later", Topics: names},
		Kafka:     sasl(connect.SASLScramSHA256).kafka,
		Redis:     connect.Redis{Addrs: []string{testenv.StartRedis(t)}},
	}, setup.WithLogger(zaptest.NewLogger(t)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rel.Close()
}
