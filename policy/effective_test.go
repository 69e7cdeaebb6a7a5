package policy_test

import (
	"strings"
	"testing"

	"github.com/relance/relance/policy"
)

func TestYAMLRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		{name: "default", file: ""},
		{name: "partial file", file: "version: strict-2\nwindow: 3d\nfollow_up:\n  nudge_at: 3\n"},
		{name: "no alerts", file: "version: quiet\nfollow_up:\n  alerts: []\n"},
		{name: "odd window", file: "version: w\nwindow: 36h30m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy.Default()
			if tt.file != "" {
				var err error
				if p, err = policy.Parse([]byte(tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			out, err := p.YAML()
			if err != nil {
				t.Fatal(err)
			}
			back, err := policy.Parse(out)
			if err != nil {
				t.Fatalf("parse %q: %v", out, err)
			}
			if back.Describe() != p.Describe() {
				t.Errorf("round trip changed the policy:\n%s\nwant:\n%s", back.Describe(), p.Describe())
			}
			for _, key := range []string{"version:", "window:", "nudge_at:", "alerts:", "sexual_unanswered:", "resource_url:"} {
				if !strings.Contains(string(out), key) {
					t.Errorf("effective policy lacks %s:\n%s", key, out)
				}
			}
		})
	}
}
