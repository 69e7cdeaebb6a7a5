package deploy_test

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/relance/relance/metrics"
)

// registered returns the names of relance's metrics, from the collectors metrics.New holds.
func registered(t *testing.T) []string {
	t.Helper()
	m := metrics.New()
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	var names []string
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanInterface() {
			continue
		}
		c, ok := f.Interface().(prometheus.Collector)
		if !ok {
			continue
		}
		ch := make(chan *prometheus.Desc, 16)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			if m := fqName.FindStringSubmatch(d.String()); m != nil {
				names = append(names, m[1])
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %q in metrics.New()", names)
	}
	return names
}

// mentioned returns the relance_ metric names a document uses, histogram series suffixes
// removed.
func mentioned(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range regexp.MustCompile(`\brelance_[a-z_]+[a-z]`).FindAllString(string(data), -1) {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(n, suffix); ok && !strings.HasSuffix(n, "_total") {
				n = base
			}
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func TestDocumentsNameOnlyRealMetrics(t *testing.T) {
	names := registered(t)
	for _, path := range []string{"../docs/OPERATIONS.md", "prometheus/alerts.yml", "grafana/relance.json", "../README.md"} {
		used := mentioned(t, path)
		if len(used) == 0 {
			t.Errorf("%s names no metric", path)
		}
		for _, n := range used {
			if !slices.Contains(names, n) {
				t.Errorf("%s names %s, which metrics.New() does not register", path, n)
			}
		}
	}
}

func TestEveryMetricIsDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range registered(t) {
		if !regexp.MustCompile("(?m)^\\| `" + n + "` \\| (counter|gauge|histogram) \\|").Match(data) {
			t.Errorf("docs/OPERATIONS.md has no table row for %s (name, type, labels, meaning)", n)
		}
	}
}

func TestEveryMetricIsOnTheDashboard(t *testing.T) {
	used := mentioned(t, "grafana/relance.json")
	for _, n := range registered(t) {
		if !slices.Contains(used, n) {
			t.Errorf("the dashboard does not show %s", n)
		}
	}
}

func TestAlertRules(t *testing.T) {
	data, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile("../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	// What the alert rules must watch, by the metric each must use.
	want := map[string]string{
		"lag growing":         "relance_consumer_lag",
		"dead-letter rate":    "relance_dead_letters_total",
		"Redis/Kafka retries": "relance_retries_total",
		"no input":            "relance_events_consumed_total",
		"not ready":           "relance_ready",
		"unreadable values":   "relance_state_unreadable_total",
		"remote classifier":   "relance_content_remote_breaker_open",
	}
	var exprs []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
			if r.Alert == "" || r.Expr == "" || r.For == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %+v lacks a name, expr, for, severity or summary", r)
			}
			if !strings.Contains(string(docs), "`"+r.Alert+"`") {
				t.Errorf("docs/OPERATIONS.md does not explain %s", r.Alert)
			}
		}
	}
	for what, metric := range want {
		if !slices.ContainsFunc(exprs, func(e string) bool { return strings.Contains(e, metric) }) {
			t.Errorf("no alert on %s (%s)", what, metric)
		}
	}
}

func TestDashboardIsValidJSON(t *testing.T) {
	data, err := os.ReadFile("grafana/relance.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string `yaml:"uid"`
		Panels []struct {
			Title   string `yaml:"title"`
			Targets []struct {
				Expr string `yaml:"expr"`
			} `yaml:"targets"`
		} `yaml:"panels"`
	}
	if err := yaml.Unmarshal(data, &d); err != nil { // JSON is YAML
		t.Fatal(err)
	}
	if d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard uid %q with %d panels", d.UID, len(d.Panels))
	}
	for _, p := range d.Panels {
		if p.Title == "" || len(p.Targets) == 0 || p.Targets[0].Expr == "" {
			t.Errorf("panel %+v has no title or query", p)
		}
	}
}
