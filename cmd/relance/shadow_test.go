package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A shadow policy file that cannot be read, or whose window is not the live policy's, stops
// start-up with the setting or the field named.
func TestBadShadowPolicyStopsStartup(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	tests := []struct {
		name, file string
		want       []string
	}{
		{"another window", "version: shadow-1\nwindow: 14d\n", []string{"shadow policy shadow-1: window 14d differs from the live policy's 7d"}},
		{"an invalid file", "follow_up:\n  nudge_at: 0\n", []string{"RELANCE_SHADOW_POLICY_FILE", "follow_up.nudge_at"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, "shadow"+string(rune('a'+i))+".yaml")
			if err := os.WriteFile(file, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin)
			cmd.Env = append(os.Environ(), "RELANCE_SHADOW_POLICY_FILE="+file, "RELANCE_HTTP_ADDR=127.0.0.1:0")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, out)
			}
			for _, want := range tt.want {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
