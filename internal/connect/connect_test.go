package connect_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/testenv"
)

const password = "pw-7c1e-do-not-print"

// files are a CA, an issued pair and files that are not what they should be.
type files struct {
	ca, cert, key, garbage, missing string
}

func newFiles(t *testing.T) files {
	t.Helper()
	dir := t.TempDir()
	ca, err := testenv.NewCA(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Issue("client", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not PEM\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return files{ca: ca.CAFile, cert: pair.CertFile, key: pair.KeyFile, garbage: garbage, missing: filepath.Join(dir, "missing.pem")}
}

func TestTLSConfig(t *testing.T) {
	f := newFiles(t)
	tests := []struct {
		name    string
		tls     connect.TLS
		wantErr string // empty: a configuration
	}{
		{name: "off", tls: connect.TLS{}},
		{name: "system roots", tls: connect.TLS{Enabled: true}},
		{name: "CA file", tls: connect.TLS{Enabled: true, CAFile: f.ca, ServerName: "kafka.internal"}},
		{name: "mutual TLS", tls: connect.TLS{Enabled: true, CAFile: f.ca, CertFile: f.cert, KeyFile: f.key}},
		{name: "a file with TLS off", tls: connect.TLS{CAFile: f.ca}, wantErr: "RELANCE_KAFKA_TLS_CA_FILE, _CERT_FILE, _KEY_FILE or _SERVER_NAME set but RELANCE_KAFKA_TLS is false"},
		{name: "missing CA file", tls: connect.TLS{Enabled: true, CAFile: f.missing}, wantErr: "RELANCE_KAFKA_TLS_CA_FILE: open " + f.missing},
		{name: "CA file not PEM", tls: connect.TLS{Enabled: true, CAFile: f.garbage}, wantErr: "RELANCE_KAFKA_TLS_CA_FILE: " + f.garbage + " holds no PEM certificate"},
		{name: "a key for a CA file", tls: connect.TLS{Enabled: true, CAFile: f.key}, wantErr: "RELANCE_KAFKA_TLS_CA_FILE"},
		{name: "certificate without key", tls: connect.TLS{Enabled: true, CertFile: f.cert}, wantErr: "RELANCE_KAFKA_TLS_CERT_FILE set without RELANCE_KAFKA_TLS_KEY_FILE"},
		{name: "key without certificate", tls: connect.TLS{Enabled: true, KeyFile: f.key}, wantErr: "RELANCE_KAFKA_TLS_KEY_FILE set without RELANCE_KAFKA_TLS_CERT_FILE"},
		{name: "missing certificate", tls: connect.TLS{Enabled: true, CertFile: f.missing, KeyFile: f.key}, wantErr: "RELANCE_KAFKA_TLS_CERT_FILE and RELANCE_KAFKA_TLS_KEY_FILE: open"},
		{name: "certificate not PEM", tls: connect.TLS{Enabled: true, CertFile: f.garbage, KeyFile: f.key}, wantErr: "RELANCE_KAFKA_TLS_CERT_FILE and RELANCE_KAFKA_TLS_KEY_FILE"},
		{name: "key not PEM", tls: connect.TLS{Enabled: true, CertFile: f.cert, KeyFile: f.garbage}, wantErr: "RELANCE_KAFKA_TLS_CERT_FILE and RELANCE_KAFKA_TLS_KEY_FILE"},
		{name: "certificate and key swapped", tls: connect.TLS{Enabled: true, CertFile: f.key, KeyFile: f.cert}, wantErr: "RELANCE_KAFKA_TLS_CERT_FILE and RELANCE_KAFKA_TLS_KEY_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.tls.Config("RELANCE_KAFKA_TLS")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (cfg != nil) != tt.tls.Enabled {
				t.Fatalf("config %v with Enabled %v", cfg, tt.tls.Enabled)
			}
			if cfg == nil {
				return
			}
			if cfg.ServerName != tt.tls.ServerName || (cfg.RootCAs != nil) != (tt.tls.CAFile != "") || len(cfg.Certificates) != map[bool]int{true: 1}[tt.tls.CertFile != ""] {
				t.Errorf("config %+v does not match %+v", cfg, tt.tls)
			}
		})
	}
}

func TestKafkaSecurity(t *testing.T) {
	f := newFiles(t)
	tests := []struct {
		name     string
		kafka    connect.Kafka
		wantSASL string // the mechanism's name, empty for none
		wantTLS  bool
		wantErr  string
	}{
		{name: "plaintext", kafka: connect.Kafka{}},
		{name: "PLAIN", kafka: connect.Kafka{SASLMechanism: connect.SASLPlain, SASLUsername: "u", SASLPassword: password}, wantSASL: "PLAIN"},
		{name: "SCRAM-SHA-256", kafka: connect.Kafka{SASLMechanism: connect.SASLScramSHA256, SASLUsername: "u", SASLPassword: password}, wantSASL: "SCRAM-SHA-256"},
		{name: "SCRAM-SHA-512 over TLS", kafka: connect.Kafka{TLS: connect.TLS{Enabled: true, CAFile: f.ca}, SASLMechanism: connect.SASLScramSHA512, SASLUsername: "u", SASLPassword: password},
			wantSASL: "SCRAM-SHA-512", wantTLS: true},
		{name: "unknown mechanism", kafka: connect.Kafka{SASLMechanism: "GSSAPI", SASLUsername: "u", SASLPassword: password},
			wantErr: `RELANCE_KAFKA_SASL_MECHANISM "GSSAPI": want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`},
		{name: "mechanism in lower case", kafka: connect.Kafka{SASLMechanism: "plain", SASLUsername: "u", SASLPassword: password}, wantErr: `RELANCE_KAFKA_SASL_MECHANISM "plain"`},
		{name: "mechanism without user", kafka: connect.Kafka{SASLMechanism: connect.SASLPlain, SASLPassword: password},
			wantErr: "RELANCE_KAFKA_SASL_MECHANISM PLAIN needs RELANCE_KAFKA_SASL_USERNAME and RELANCE_KAFKA_SASL_PASSWORD"},
		{name: "mechanism without password", kafka: connect.Kafka{SASLMechanism: connect.SASLScramSHA256, SASLUsername: "u"},
			wantErr: "needs RELANCE_KAFKA_SASL_USERNAME and RELANCE_KAFKA_SASL_PASSWORD"},
		{name: "credentials without mechanism", kafka: connect.Kafka{SASLUsername: "u", SASLPassword: password},
			wantErr: "set without RELANCE_KAFKA_SASL_MECHANISM"},
		{name: "bad CA file", kafka: connect.Kafka{TLS: connect.TLS{Enabled: true, CAFile: f.garbage}}, wantErr: "RELANCE_KAFKA_TLS_CA_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec, err := tt.kafka.Security()
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
			gotSASL := ""
			if sec.SASL != nil {
				gotSASL = sec.SASL.Name()
			}
			if gotSASL != tt.wantSASL || (sec.TLS != nil) != tt.wantTLS {
				t.Errorf("SASL %q TLS %v, want %q %v", gotSASL, sec.TLS != nil, tt.wantSASL, tt.wantTLS)
			}
			d, tr := sec.Dialer(), sec.Transport()
			if d.TLS != sec.TLS || tr.TLS != sec.TLS || d.SASLMechanism != sec.SASL || tr.SASL != sec.SASL {
				t.Errorf("the dialer and the transport do not carry the security built")
			}
		})
	}
}

// TestSecretNeverPrints formats a secret, alone and in a struct, every way relance might.
func TestSecretNeverPrints(t *testing.T) {
	s := connect.Secret(password)
	type holder struct {
		User     string
		Password connect.Secret
	}
	h := holder{User: "u", Password: s}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("connect", "password", s, "holder", h)
	var jsonLogged bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLogged, nil)).Info("connect", "password", s)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, got string
	}{
		{"%v", fmt.Sprintf("%v", s)},
		{"%s", fmt.Sprintf("%s", s)},
		{"%q", fmt.Sprintf("%q", s)},
		{"%x", fmt.Sprintf("%x", s)},
		{"%#v", fmt.Sprintf("%#v", s)},
		{"%+v of a struct", fmt.Sprintf("%+v", h)},
		{"%#v of a struct", fmt.Sprintf("%#v", h)},
		{"%v of a pointer to a struct", fmt.Sprintf("%v", &h)},
		{"Sprint", fmt.Sprint(s)},
		{"String", s.String()},
		{"json.Marshal", string(js)},
		{"slog text", logged.String()},
		{"slog JSON", jsonLogged.String()},
		{"an error", fmt.Errorf("connect %v: %w", h, fmt.Errorf("password %s", s)).Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.got, password) || strings.Contains(tt.got, fmt.Sprintf("%x", password)) {
				t.Errorf("shows the secret: %s", tt.got)
			}
			if !strings.Contains(tt.got, "[redacted]") {
				t.Errorf("does not say it is redacted: %s", tt.got)
			}
		})
	}
	if s.Reveal() != password {
		t.Errorf("Reveal = %q", s.Reveal())
	}
	if fmt.Sprint(connect.Secret("")) != "" {
		t.Errorf("an empty secret prints %q, want nothing", connect.Secret(""))
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path string
		want       string
		wantErr    string
	}{
		{name: "trailing newline dropped", path: write("nl", password+"\n"), want: password},
		{name: "trailing CRLF dropped", path: write("crlf", password+"\r\n"), want: password},
		{name: "no newline", path: write("bare", password), want: password},
		{name: "inner spaces kept", path: write("spaces", " a b \n"), want: " a b "},
		{name: "empty", path: write("empty", "\n"), wantErr: "X_FILE: " + filepath.Join(dir, "empty") + " is empty"},
		{name: "missing", path: filepath.Join(dir, "missing"), wantErr: "X_FILE: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := connect.ReadSecretFile("X_FILE", tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Reveal() != tt.want {
				t.Fatalf("got %q, %v; want %q", got.Reveal(), err, tt.want)
			}
		})
	}
}
