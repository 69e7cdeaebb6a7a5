package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/policy"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestCommands(t *testing.T) {
	good := writeFile(t, "version: strict-2\nfollow_up:\n  nudge_at: 3\n")
	bad := writeFile(t, "follow_up:\n  alerts:\n    - at: 7\n      severity: urgent\n")
	tests := []struct {
		name       string
		args       []string
		wantOut    []string // each must appear on stdout
		wantErr    string   // empty: no error
		wantStderr string
	}{
		{name: "version", args: []string{"version"}, wantOut: []string{"relance dev", "commit:", "built:", "go:"}},
		{name: "version with an argument", args: []string{"version", "x"}, wantErr: "no arguments", wantStderr: "policy check FILE"},
		{name: "check a valid file prints the effective policy", args: []string{"policy", "check", good},
			wantOut: []string{"is valid", "version: strict-2", "nudge_at: 3", "window: 7d", "severity: medium", "sexual_unanswered: high"}},
		{name: "check names the bad field and line", args: []string{"policy", "check", bad}, wantErr: `follow_up.alerts[0].severity: severity "urgent"`},
		{name: "check a missing file", args: []string{"policy", "check", filepath.Join(t.TempDir(), "nope.yaml")}, wantErr: "no such file"},
		{name: "check without a file", args: []string{"policy", "check"}, wantErr: "exactly one FILE"},
		{name: "explain the default policy", args: []string{"policy", "explain"},
			wantOut: []string{"Policy relance-default-2.", "sent less than 5 minutes after it are one",
				"  1 to 3 attempts: nothing.\n",
				"  4 attempts or 10 unanswered messages, whichever comes first: Lara reminds the sender of the rules (follow_up_limit) and checks in with the recipient (check_in).\n",
				"  7 attempts or 20 unanswered messages, whichever comes first: moderation alert, severity medium",
				"  12 attempts or 40 unanswered messages, whichever comes first: moderation alert, severity high"}},
		{name: "explain a file", args: []string{"policy", "explain", good}, wantOut: []string{"Policy strict-2.",
			"  1 to 2 attempts: nothing.\n", "  3 attempts or 10 unanswered messages, whichever comes first: Lara"}},
		{name: "explain a bad file", args: []string{"policy", "explain", bad}, wantErr: "urgent"},
		{name: "policy without a subcommand", args: []string{"policy"}, wantErr: "needs a subcommand", wantStderr: "relance version"},
		{name: "unknown policy subcommand", args: []string{"policy", "apply"}, wantErr: `unknown policy subcommand "apply"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, func(string) string { return "" }, &stdout, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("err = %v\nstderr: %s", err, stderr.String())
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr.String())
			}
		})
	}
}

func TestPolicyCheckOutputIsAValidPolicyFile(t *testing.T) {
	var stdout bytes.Buffer
	file := writeFile(t, "window: 3d\ncoach:\n  name: Sam\n")
	if err := dispatch(context.Background(), []string{"policy", "check", file}, nil, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(stdout.Bytes())
	if err != nil {
		t.Fatalf("the effective policy does not parse: %v\n%s", err, stdout.String())
	}
	want, _ := policy.Load(file)
	if p.Describe() != want.Describe() {
		t.Errorf("effective policy differs:\n%s\nwant:\n%s", p.Describe(), want.Describe())
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-help"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"relance version", "relance policy check FILE", "relance policy explain [FILE]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-help does not mention %q", want)
		}
	}
}

// TestVersionFromLdflags builds the binary as the Dockerfile and `make build` do.
func TestVersionFromLdflags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "relance")
	ldflags := "-X main.version=v9.8.7 -X main.commit=abc1234 -X main.date=2026-11-23T10:00:00Z"
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("relance version: %v\n%s", err, out)
	}
	for _, want := range []string{"relance v9.8.7", "commit: abc1234", "built:  2026-11-23T10:00:00Z"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The processor's flags still work after the subcommands were added.
	out, err = exec.Command(bin, "-help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RELANCE_KAFKA_BROKERS") {
		t.Errorf("relance -help: %v\n%s", err, out)
	}
}

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.Error(w, "kafka: not reachable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		url     string
		wantErr string
	}{
		{name: "ready", url: srv.URL + "/readyz"},
		{name: "not ready", url: srv.URL + "/other", wantErr: "503"},
		{name: "nothing listening", url: "http://127.0.0.1:1/readyz", wantErr: "probe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dispatch(context.Background(), []string{"probe", tt.url}, nil, &bytes.Buffer{}, &bytes.Buffer{})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
