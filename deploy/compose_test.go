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
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
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
	Secrets     []string             `yaml:"secrets"`
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
	return loadComposeFile(t, "../docker-compose.yml")
}

func loadComposeFile(t *testing.T, path string) compose {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v", path, err)
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
	want := topics.Names{}.WithDefaults().All()
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
		"RELANCE_TOPIC_MEMBER_ACTION":    topics.DefaultMemberAction,
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

// The secured variant, docker-compose.secure.yml: SASL_SSL to Kafka, TLS and an ACL user to
// Redis, passwords as files.

func TestSecureComposeServices(t *testing.T) {
	c := loadComposeFile(t, "../docker-compose.secure.yml")
	for name, prefix := range map[string]string{"certs": "alpine:", "kafka": "apache/kafka:", "kafka-init": "apache/kafka:", "redis": "redis:", "relance": "relance:"} {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("no %s service", name)
			continue
		}
		if !strings.HasPrefix(s.Image, prefix) || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("%s image %q, want %s with a pinned tag", name, s.Image, prefix)
		}
	}
	if !slices.Contains(c.Services["certs"].Volumes, "./deploy/compose/certs.sh:/certs.sh:ro") {
		t.Errorf("certs volumes %q: want deploy/compose/certs.sh", c.Services["certs"].Volumes)
	}
	if _, err := os.Stat("compose/certs.sh"); err != nil {
		t.Error(err)
	}
	for _, svc := range []string{"kafka", "redis"} {
		if c.Services[svc].DependsOn["certs"].Condition != "service_completed_successfully" {
			t.Errorf("%s does not wait for the certificates", svc)
		}
	}
	if cmd := words(c.Services["kafka-init"].Command); !strings.Contains(cmd, "--entity-type users --entity-name relance") || !strings.Contains(cmd, "SCRAM-SHA-512=") {
		t.Errorf("kafka-init does not create relance's SCRAM-SHA-512 user: %s", cmd)
	}
	var got []string
	for _, m := range regexp.MustCompile(`--topic\s+(\S+)`).FindAllStringSubmatch(words(c.Services["kafka-init"].Command), -1) {
		got = append(got, m[1])
	}
	want := topics.Names{}.WithDefaults().All()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kafka-init creates %q, want %q", got, want)
	}
}

func TestSecureComposeKafkaListener(t *testing.T) {
	c := loadComposeFile(t, "../docker-compose.secure.yml")
	env := c.Services["kafka"].Environment
	protocols := map[string]string{}
	for _, p := range strings.Split(env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"], ",") {
		name, proto, _ := strings.Cut(p, ":")
		protocols[name] = proto
	}
	brokers := c.Services["relance"].Environment["RELANCE_KAFKA_BROKERS"]
	var listener string
	for _, l := range strings.Split(env["KAFKA_ADVERTISED_LISTENERS"], ",") {
		name, addr, _ := strings.Cut(l, "://")
		if addr == brokers {
			listener = name
		}
	}
	if listener == "" || protocols[listener] != "SASL_SSL" {
		t.Errorf("relance's brokers %s are on listener %q (%s), want SASL_SSL", brokers, listener, protocols[listener])
	}
	if env["KAFKA_LISTENER_NAME_"+listener+"_SASL_ENABLED_MECHANISMS"] != "SCRAM-SHA-512" || env["KAFKA_SASL_ENABLED_MECHANISMS"] != "SCRAM-SHA-512" {
		t.Errorf("listener %s mechanisms %q, want SCRAM-SHA-512", listener, env["KAFKA_LISTENER_NAME_"+listener+"_SASL_ENABLED_MECHANISMS"])
	}
	if !strings.Contains(env["KAFKA_LISTENER_NAME_"+listener+"_SCRAM___SHA___512_SASL_JAAS_CONFIG"], "ScramLoginModule") {
		t.Errorf("listener %s has no SCRAM login module", listener)
	}
	for _, k := range []string{"KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEYSTORE_CREDENTIALS", "KAFKA_SSL_KEY_CREDENTIALS", "KAFKA_SSL_TRUSTSTORE_FILENAME"} {
		if env[k] == "" {
			t.Errorf("kafka: %s unset", k)
		}
	}
	if p := c.Services["kafka"].Environment["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]; p != "false" {
		t.Errorf("auto topic creation %q, want false", p)
	}
}

func TestSecureComposeRedisTLSAndACL(t *testing.T) {
	cmd := words(loadComposeFile(t, "../docker-compose.secure.yml").Services["redis"].Command)
	for _, want := range []string{"--port 0", "--tls-port 6379", "--tls-cert-file", "--aclfile", "user default off", "user relance on", "-@all", "--appendonly yes", "--appendfsync everysec"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("redis command lacks %q", want)
		}
	}
	// The commands relance runs (docs/OPERATIONS.md), and no more.
	acl := regexp.MustCompile(`user relance on (.*)\\n`).FindStringSubmatch(cmd)
	if acl == nil {
		t.Fatalf("no ACL line for relance in %s", cmd)
	}
	var allowed []string
	for _, w := range strings.Fields(acl[1]) {
		if strings.HasPrefix(w, "+") {
			allowed = append(allowed, w)
		}
	}
	want := []string{"+get", "+mget", "+set", "+evalsha", "+script|load", "+ping", "+info", "+hello", "+client|setinfo"}
	if !slices.Equal(allowed, want) {
		t.Errorf("relance's ACL allows %q, want %q", allowed, want)
	}
}

func TestSecureComposeRelanceSettings(t *testing.T) {
	c := loadComposeFile(t, "../docker-compose.secure.yml")
	s := c.Services["relance"]
	read := readByRelance(t)
	for k, v := range s.Environment {
		if !read(k) {
			t.Errorf("relance sets %s, which relance does not read", k)
		}
		if strings.HasSuffix(k, "_PASSWORD") {
			t.Errorf("%s is an environment value: give it as %s_FILE", k, k)
		}
		if strings.HasSuffix(k, "_PASSWORD_FILE") {
			name, ok := strings.CutPrefix(v, "/run/secrets/")
			if !ok || !slices.Contains(s.Secrets, name) || c.Secrets[name].File == "" {
				t.Errorf("%s = %q: want /run/secrets/NAME of a secret the service lists and the file defines", k, v)
			}
		}
	}
	for k, v := range map[string]string{
		"RELANCE_KAFKA_TLS": "true", "RELANCE_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "RELANCE_REDIS_TLS": "true",
		"RELANCE_KAFKA_SASL_USERNAME": "relance", "RELANCE_REDIS_USERNAME": "relance", "RELANCE_DEAD_LETTER_PAYLOAD": "redacted",
	} {
		if s.Environment[k] != v {
			t.Errorf("relance %s = %q, want %q", k, s.Environment[k], v)
		}
	}
	for _, k := range []string{"RELANCE_KAFKA_SASL_PASSWORD_FILE", "RELANCE_REDIS_PASSWORD_FILE", "RELANCE_KAFKA_TLS_CA_FILE", "RELANCE_REDIS_TLS_CA_FILE"} {
		if s.Environment[k] == "" {
			t.Errorf("relance %s unset", k)
		}
	}
}
