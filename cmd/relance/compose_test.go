package main

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeEnvironmentIsWhatRelanceReads checks that docker-compose.yml sets only
// variables relance reads, and all of them but the demo's: a renamed variable fails here,
// not in a deployment.
func TestComposeEnvironmentIsWhatRelanceReads(t *testing.T) {
	read := map[string]bool{}
	if _, err := parseConfig(nil, func(k string) string { read[k] = true; return "" }, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	// The demo plays only on the embedded broker: a deployment has no use for it.
	for _, k := range []string{"RELANCE_DEMO", "RELANCE_DEMO_EXIT", "RELANCE_DEMO_PACE"} {
		delete(read, k)
	}
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	env := c.Services["relance"].Environment
	for k := range env {
		if !read[k] {
			t.Errorf("docker-compose.yml sets %s, which relance does not read", k)
		}
	}
	var missing []string
	for k := range read {
		if _, ok := env[k]; !ok {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("docker-compose.yml does not set %q (set it, empty if the default fits)", missing)
	}
}

// TestSecureComposeEnvironmentIsWhatRelanceReads: docker-compose.secure.yml sets only
// variables relance reads.
func TestSecureComposeEnvironmentIsWhatRelanceReads(t *testing.T) {
	read := map[string]bool{}
	if _, err := parseConfig(nil, func(k string) string { read[k] = true; return "" }, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../docker-compose.secure.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	env := c.Services["relance"].Environment
	if len(env) == 0 {
		t.Fatal("docker-compose.secure.yml: relance sets no variable")
	}
	for k := range env {
		switch {
		case read[k]:
		default:
			t.Errorf("docker-compose.secure.yml sets %s, which relance does not read", k)
		}
	}
}
