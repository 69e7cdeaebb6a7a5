package deploy_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/relance/relance/topics"
)

// compose is the part of the Compose specification these tests check.
type compose struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string               `yaml:"image"`
	Build       *build               `yaml:"build"`
	Command     any                  `yaml:"command"` // a string or a list
	Entrypoint  any                  `yaml:"entrypoint"`
	Environment map[string]string    `yaml:"environment"`
	DependsOn   map[string]dependsOn `yaml:"depends_on"`
	Healthcheck *healthcheck         `yaml:"healthcheck"`
	Volumes     []string             `yaml:"volumes"`
	Profiles    []string             `yaml:"profiles"`
	Restart     string               `yaml:"restart"`
}

type build struct {
	Context    string            `yaml:"context"`
	Dockerfile string            `yaml:"dockerfile"`
	Args       map[string]string `yaml:"args"`
}

type dependsOn struct {
	Condition string `yaml:"condition"`
}

type healthcheck struct {
	Test     []string `yaml:"test"`
	Interval string   `yaml:"interval"`
	Timeout  string   `yaml:"timeout"`
	Retries  int      `yaml:"retries"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	data, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

func words(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, words(p))
		}
		return strings.Join(parts, " ")
	}
	return ""
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"kafka", "kafka-init", "redis", "relance"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("no %s service", name)
		}
	}
	tests := []struct {
		name        string
		service     string
		imagePrefix string
		healthcheck bool
	}{
		{name: "kafka is the official Apache image", service: "kafka", imagePrefix: "apache/kafka:", healthcheck: true},
		{name: "topics are created with the same image", service: "kafka-init", imagePrefix: "apache/kafka:"},
		{name: "redis", service: "redis", imagePrefix: "redis:", healthcheck: true},
		{name: "relance is built here", service: "relance", imagePrefix: "relance:", healthcheck: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := c.Services[tt.service]
			if !strings.HasPrefix(s.Image, tt.imagePrefix) || strings.HasSuffix(s.Image, ":latest") {
				t.Errorf("image %q, want %s with a pinned tag", s.Image, tt.imagePrefix)
			}
			if tt.healthcheck != (s.Healthcheck != nil) {
				t.Fatalf("healthcheck %+v, want one: %v", s.Healthcheck, tt.healthcheck)
			}
			if s.Healthcheck != nil {
				if len(s.Healthcheck.Test) < 2 || (s.Healthcheck.Test[0] != "CMD" && s.Healthcheck.Test[0] != "CMD-SHELL") {
					t.Errorf("healthcheck test %q is not a CMD or CMD-SHELL list", s.Healthcheck.Test)
				}
				if s.Healthcheck.Interval == "" || s.Healthcheck.Timeout == "" || s.Healthcheck.Retries == 0 {
					t.Errorf("healthcheck %+v lacks interval, timeout or retries", s.Healthcheck)
				}
			}
		})
	}
}

func TestComposeDependencies(t *testing.T) {
	c := loadCompose(t)
	want := map[string]map[string]string{
		"kafka-init": {"kafka": "service_healthy"},
		"relance": {
			"kafka":      "service_healthy",
			"kafka-init": "service_completed_successfully",
			"redis":      "service_healthy",
		},
	}
	for svc, deps := range want {
		got := map[string]string{}
		for name, d := range c.Services[svc].DependsOn {
			got[name] = d.Condition
		}
		for name, cond := range deps {
			if got[name] != cond {
				t.Errorf("%s depends_on %s: condition %q, want %q", svc, name, got[name], cond)
			}
		}
	}
	if r := c.Services["kafka-init"].Restart; r != "no" {
		t.Errorf("kafka-init restart %q, want \"no\" for a one-shot", r)
	}
	if b := c.Services["relance"].Build; b == nil || b.Context != "." || b.Dockerfile != "Dockerfile" {
		t.Errorf("relance build %+v, want the repository's Dockerfile", b)
	}
}

func TestComposeKafkaKRaft(t *testing.T) {
	env := loadCompose(t).Services["kafka"].Environment
	if roles := env["KAFKA_PROCESS_ROLES"]; roles != "broker,controller" {
		t.Errorf("KAFKA_PROCESS_ROLES %q, want a combined KRaft node", roles)
	}
	if env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] != "false" {
		t.Error("auto topic creation is on: topics must come from kafka-init")
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`).MatchString(env["CLUSTER_ID"]) {
		t.Errorf("CLUSTER_ID %q is not a base64 UUID", env["CLUSTER_ID"])
	}
}

func TestComposeRedisAppendOnly(t *testing.T) {
	s := loadCompose(t).Services["redis"]
	if cmd := words(s.Command); !strings.Contains(cmd, "--appendonly yes") {
		t.Errorf("redis command %q does not turn AOF on", cmd)
	}
	if !slices.ContainsFunc(s.Volumes, func(v string) bool { return strings.HasSuffix(v, ":/data") }) {
		t.Errorf("redis volumes %q: /data (the AOF) is not on a volume", s.Volumes)
	}
}

func TestComposeCreatesExactlyTheDefaultTopics(t *testing.T) {
	cmd := words(loadCompose(t).Services["kafka-init"].Command)
	var got []string
	for _, m := range regexp.MustCompile(`--topic\s+(\S+)`).FindAllStringSubmatch(cmd, -1) {
		got = append(got, m[1])
	}
	want := []string{topics.DefaultMessageSent, topics.DefaultReply, topics.DefaultCoachNudge,
		topics.DefaultModerationAlert, topics.DefaultDeadLetter}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kafka-init creates %q, want exactly %q", got, want)
	}
	if n := strings.Count(cmd, "--partitions"); n != len(want) {
		t.Errorf("%d --partitions for %d topics", n, len(want))
	}
	if n := strings.Count(cmd, "retention.ms="); n != len(want) {
		t.Errorf("%d retention.ms for %d topics", n, len(want))
	}
}

func TestComposeRelanceTopicsAreTheDefaults(t *testing.T) {
	env := loadCompose(t).Services["relance"].Environment
	want := map[string]string{
		"RELANCE_TOPIC_MESSAGE_SENT":     topics.DefaultMessageSent,
		"RELANCE_TOPIC_REPLY":            topics.DefaultReply,
		"RELANCE_TOPIC_COACH_NUDGE":      topics.DefaultCoachNudge,
		"RELANCE_TOPIC_MODERATION_ALERT": topics.DefaultModerationAlert,
		"RELANCE_TOPIC_DEAD_LETTER":      topics.DefaultDeadLetter,
		"RELANCE_KAFKA_BROKERS":          "kafka:9092",
		"RELANCE_REDIS_ADDR":             "redis:6379",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("relance %s = %q, want %q", k, env[k], v)
		}
	}
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(froms))
	}
	for _, want := range []string{"CGO_ENABLED=0", "-X main.version=", "-X main.commit=", "-X main.date=", "./cmd/relance", `ENTRYPOINT ["/relance"]`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	user := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(user) == 0 || strings.HasPrefix(user[len(user)-1][1], "root") || strings.HasPrefix(user[len(user)-1][1], "0") {
		t.Errorf("the final image does not run as a non-root user: %q", user)
	}
}
