package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/topics"
)

// password is distinctive, so that a test can look for it anywhere relance writes.
const password = "pw-7c1e-do-not-print"

// startSecuredBroker starts a broker requiring SCRAM-SHA-256 (user relance, password) and
// TLS with a certificate from a test CA, and returns its address and the CA file.
func startSecuredBroker(t *testing.T) (addr, caFile string) {
	t.Helper()
	ca, err := testenv.NewCA(t.TempDir(), "kafka")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Issue("broker", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	b := testenv.NewBroker(testenv.BrokerConfig{
		Topics: topics.Names{}.WithDefaults().All(),
		Users:  []testenv.SASLUser{{Mechanism: connect.SASLScramSHA256, User: "relance", Password: password}},
		TLS:    &tls.Config{Certificates: []tls.Certificate{pair.Certificate}, MinVersion: tls.VersionTLS12},
	})
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Stop() })
	return b.Addr(), ca.CAFile
}

// TestRefusedKafkaSettingStopsStartup runs the binary against a broker that refuses its
// settings: it exits 1 within seconds, naming the setting and never the password.
func TestRefusedKafkaSettingStopsStartup(t *testing.T) {
	bin := binary(t)
	broker, caFile := startSecuredBroker(t)
	otherCA, err := testenv.NewCA(t.TempDir(), "other")
	if err != nil {
		t.Fatal(err)
	}
	wrongFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(wrongFile, []byte(password+"-wrong\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     []string
		wantErr string
	}{
		{name: "wrong password", env: []string{"RELANCE_KAFKA_TLS_CA_FILE=" + caFile, "RELANCE_KAFKA_SASL_PASSWORD=" + password + "-wrong"},
			wantErr: "RELANCE_KAFKA_SASL_USERNAME/PASSWORD: SASL authentication failed"},
		{name: "wrong password from a file", env: []string{"RELANCE_KAFKA_TLS_CA_FILE=" + caFile, "RELANCE_KAFKA_SASL_PASSWORD_FILE=" + wrongFile},
			wantErr: "RELANCE_KAFKA_SASL_USERNAME/PASSWORD: SASL authentication failed"},
		{name: "a CA that does not verify the broker", env: []string{"RELANCE_KAFKA_TLS_CA_FILE=" + otherCA.CAFile, "RELANCE_KAFKA_SASL_PASSWORD=" + password},
			wantErr: "RELANCE_KAFKA_TLS_CA_FILE: certificate signed by unknown authority"},
		{name: "a CA file that is not PEM", env: []string{"RELANCE_KAFKA_TLS_CA_FILE=" + wrongFile, "RELANCE_KAFKA_SASL_PASSWORD=" + password},
			wantErr: "RELANCE_KAFKA_TLS_CA_FILE: " + wrongFile + " holds no PEM certificate"},
		{name: "an unknown mechanism", env: []string{"RELANCE_KAFKA_TLS_CA_FILE=" + caFile, "RELANCE_KAFKA_SASL_PASSWORD=" + password, "RELANCE_KAFKA_SASL_MECHANISM=SCRAM-SHA-1"},
			wantErr: `RELANCE_KAFKA_SASL_MECHANISM "SCRAM-SHA-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Env = append(os.Environ(), "RELANCE_HTTP_ADDR=127.0.0.1:0", "RELANCE_REDIS_ADDR="+testenv.StartRedis(t),
				"RELANCE_KAFKA_BROKERS="+broker, "RELANCE_KAFKA_TLS=true",
				"RELANCE_KAFKA_SASL_MECHANISM=SCRAM-SHA-256", "RELANCE_KAFKA_SASL_USERNAME=relance")
			cmd.Env = append(cmd.Env, tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, stderr.String())
			}
			if took > 10*time.Second {
				t.Errorf("exited after %v, want within seconds", took)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantErr, stderr.String())
			}
			if out := stdout.String() + stderr.String(); strings.Contains(out, password) {
				t.Errorf("the password is in the output:\n%s", out)
			}
		})
	}
}

// TestPasswordIsNeverShown looks for the password in -help, and in the logs and /metrics of
// a relance that logged in with it (at debug level, to see the most).
func TestPasswordIsNeverShown(t *testing.T) {
	bin := binary(t)
	broker, caFile := startSecuredBroker(t)
	passwordFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(passwordFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"RELANCE_KAFKA_BROKERS=" + broker, "RELANCE_REDIS_ADDR=" + testenv.StartRedis(t),
		"RELANCE_KAFKA_TLS=true", "RELANCE_KAFKA_TLS_CA_FILE=" + caFile,
		"RELANCE_KAFKA_SASL_MECHANISM=SCRAM-SHA-256", "RELANCE_KAFKA_SASL_USERNAME=relance",
		"RELANCE_KAFKA_SASL_PASSWORD_FILE=" + passwordFile, "RELANCE_LOG_LEVEL=debug"}

	help := exec.Command(bin, "-help")
	help.Env = append(os.Environ(), "RELANCE_KAFKA_SASL_PASSWORD="+password, "RELANCE_REDIS_SENTINEL_PASSWORD="+password)
	out, err := help.CombinedOutput()
	if err != nil {
		t.Fatalf("-help: %v\n%s", err, out)
	}
	if strings.Contains(string(out), password) {
		t.Errorf("-help shows the password:\n%s", out)
	}
	if !strings.Contains(string(out), "RELANCE_KAFKA_SASL_PASSWORD_FILE") {
		t.Errorf("-help does not offer RELANCE_KAFKA_SASL_PASSWORD_FILE:\n%s", out)
	}

	p := startProcess(t, bin, env...)
	metricsURL := waitAdmin(t, p) + "/metrics"
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("relance_")) {
		t.Fatalf("%s: %s\n%s", metricsURL, resp.Status, body)
	}
	if bytes.Contains(body, []byte(password)) {
		t.Errorf("/metrics shows the password")
	}
	if strings.Contains(p.stderr(), password) {
		t.Errorf("the logs show the password:\n%s", p.stderr())
	}
}

// waitAdmin waits for relance to log its admin address and returns its base URL.
func waitAdmin(t *testing.T, p *process) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(p.stderr(), "\n") {
			var entry struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "admin endpoints listening" {
				return "http://" + entry.Addr
			}
		}
		select {
		case <-p.done:
			t.Fatalf("relance exited: %v\n%s", p.err, p.stderr())
		case <-tick.C:
		}
	}
	t.Fatalf("relance did not log its admin address within 30s\n%s", p.stderr())
	return ""
}

// TestSecretSettings covers a secret's sources: its variable, its file, never both and
// never a flag.
func TestSecretSettings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "password")
	if err := os.WriteFile(file, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    connect.Secret
		wantErr string
	}{
		{name: "unset"},
		{name: "from the variable", env: map[string]string{"RELANCE_KAFKA_SASL_PASSWORD": password}, want: password},
		{name: "from the file, newline dropped", env: map[string]string{"RELANCE_KAFKA_SASL_PASSWORD_FILE": file}, want: password},
		{name: "both", env: map[string]string{"RELANCE_KAFKA_SASL_PASSWORD": password, "RELANCE_KAFKA_SASL_PASSWORD_FILE": file},
			wantErr: "RELANCE_KAFKA_SASL_PASSWORD and RELANCE_KAFKA_SASL_PASSWORD_FILE are both set"},
		{name: "missing file", env: map[string]string{"RELANCE_KAFKA_SASL_PASSWORD_FILE": filepath.Join(dir, "nope")},
			wantErr: "RELANCE_KAFKA_SASL_PASSWORD_FILE: open"},
		{name: "empty file", env: map[string]string{"RELANCE_KAFKA_SASL_PASSWORD_FILE": empty},
			wantErr: "RELANCE_KAFKA_SASL_PASSWORD_FILE: " + empty + " is empty"},
		{name: "no flag", args: []string{"-kafka-sasl-password", password}, wantErr: "flag provided but not defined: -kafka-sasl-password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), password) {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.setup().Kafka.SASLPassword; got.Reveal() != tt.want.Reveal() {
				t.Errorf("password %q, want %q", got.Reveal(), tt.want.Reveal())
			}
		})
	}
}

// TestConnectionSettingsReachSetup: each variable lands in setup.Config.Kafka or .Redis.
func TestConnectionSettingsReachSetup(t *testing.T) {
	env := map[string]string{
		"RELANCE_KAFKA_BROKERS": "k:9093", "RELANCE_KAFKA_TLS": "true", "RELANCE_KAFKA_TLS_CA_FILE": "ca.pem",
		"RELANCE_KAFKA_TLS_CERT_FILE": "c.pem", "RELANCE_KAFKA_TLS_KEY_FILE": "k.pem", "RELANCE_KAFKA_TLS_SERVER_NAME": "kafka.internal",
		"RELANCE_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "RELANCE_KAFKA_SASL_USERNAME": "u", "RELANCE_KAFKA_SASL_PASSWORD": "kp",
		"RELANCE_REDIS_ADDR": "s1:26379,s2:26379", "RELANCE_REDIS_USERNAME": "ru", "RELANCE_REDIS_PASSWORD": "rp", "RELANCE_REDIS_DB": "2",
		"RELANCE_REDIS_TLS": "1", "RELANCE_REDIS_TLS_CA_FILE": "rca.pem", "RELANCE_REDIS_TLS_CERT_FILE": "rc.pem",
		"RELANCE_REDIS_TLS_KEY_FILE": "rk.pem", "RELANCE_REDIS_TLS_SERVER_NAME": "redis.internal",
		"RELANCE_REDIS_SENTINEL_MASTER": "main", "RELANCE_REDIS_SENTINEL_USERNAME": "su", "RELANCE_REDIS_SENTINEL_PASSWORD": "sp",
	}
	c, err := parseConfig(nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	got := c.setup()
	wantKafka := connect.Kafka{
		TLS:           connect.TLS{Enabled: true, CAFile: "ca.pem", CertFile: "c.pem", KeyFile: "k.pem", ServerName: "kafka.internal"},
		SASLMechanism: "SCRAM-SHA-512", SASLUsername: "u", SASLPassword: "kp",
	}
	wantRedis := connect.Redis{
		Addrs: []string{"s1:26379", "s2:26379"}, Username: "ru", Password: "rp", DB: 2,
		TLS:            connect.TLS{Enabled: true, CAFile: "rca.pem", CertFile: "rc.pem", KeyFile: "rk.pem", ServerName: "redis.internal"},
		SentinelMaster: "main", SentinelUsername: "su", SentinelPassword: "sp",
	}
	if !reflect.DeepEqual(got.Kafka, wantKafka) {
		t.Errorf("Kafka %#v, want %#v", got.Kafka, wantKafka)
	}
	if !reflect.DeepEqual(got.Redis, wantRedis) {
		t.Errorf("Redis %#v, want %#v", got.Redis, wantRedis)
	}
}

// TestSecuritySettingsNeedARealServer: the embedded broker and Redis speak neither TLS nor
// SASL, so asking for them there is a mistake to report, not to ignore.
func TestSecuritySettingsNeedARealServer(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "kafka TLS", env: map[string]string{"RELANCE_KAFKA_TLS": "true"}, wantErr: "RELANCE_KAFKA_BROKERS"},
		{name: "kafka SASL", env: map[string]string{"RELANCE_KAFKA_SASL_MECHANISM": "PLAIN"}, wantErr: "RELANCE_KAFKA_BROKERS"},
		{name: "redis TLS", env: map[string]string{"RELANCE_REDIS_TLS": "true"}, wantErr: "RELANCE_REDIS_ADDR"},
		{name: "redis password", env: map[string]string{"RELANCE_REDIS_PASSWORD": password}, wantErr: "RELANCE_REDIS_ADDR"},
		{name: "redis sentinel", env: map[string]string{"RELANCE_REDIS_SENTINEL_MASTER": "main"}, wantErr: "RELANCE_REDIS_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(nil, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to name %s", err, tt.wantErr)
			}
		})
	}
}
