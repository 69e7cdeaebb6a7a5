package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// kustomize is the kustomize binary: on PATH, or in the repository's .cache/bin where
// .ci/run installs it. Without one the test is skipped, except in CI, where it fails.
func kustomize(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("kustomize"); err == nil {
		return p
	}
	if p, err := filepath.Abs("../.cache/bin/kustomize"); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no kustomize on PATH or in .cache/bin: .ci/run installs it")
	}
	t.Skip("no kustomize on PATH or in .cache/bin: GOBIN=$PWD/.cache/bin go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1")
	return ""
}

// render is the base as kustomize builds it, one document per object.
func render(t *testing.T) [][]byte {
	t.Helper()
	out, err := exec.Command(kustomize(t), "build", "kubernetes").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("kustomize build: %v\n%s", err, stderr)
	}
	return documents(t, out)
}

func documents(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(d) != "" {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// strict decodes a YAML object into v, refusing a field v does not have, a field spelled
// in another case (which encoding/json would accept) and a repeated one: a typo fails.
func strict(t *testing.T, doc []byte, v any) {
	t.Helper()
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	strictErrs, err := kjson.UnmarshalStrict(j, v)
	if err != nil {
		t.Fatalf("%T: %v\n%s", v, err, doc)
	}
	if len(strictErrs) > 0 {
		t.Fatalf("%T: %v\n%s", v, strictErrs, doc)
	}
}

// KEDA's ScaledObject and TriggerAuthentication are CRDs, without Go types in k8s.io/api:
// these structs hold the fields the base uses, as KEDA v2 spells them.
type scaledObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		ScaleTargetRef struct {
			Name string `json:"name"`
		} `json:"scaleTargetRef"`
		PollingInterval int `json:"pollingInterval"`
		CooldownPeriod  int `json:"cooldownPeriod"`
		MinReplicaCount int `json:"minReplicaCount"`
		MaxReplicaCount int `json:"maxReplicaCount"`
		Triggers        []struct {
			Type              string            `json:"type"`
			Metadata          map[string]string `json:"metadata"`
			AuthenticationRef struct {
				Name string `json:"name"`
			} `json:"authenticationRef"`
		} `json:"triggers"`
	} `json:"spec"`
}

type triggerAuthentication struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		SecretTargetRef []struct {
			Parameter string `json:"parameter"`
			Name      string `json:"name"`
			Key       string `json:"key"`
		} `json:"secretTargetRef"`
	} `json:"spec"`
}

// base is the rendered base, each object decoded into its type.
type base struct {
	deployment *appsv1.Deployment
	configMap  *corev1.ConfigMap
	service    *corev1.Service
	pdb        *policyv1.PodDisruptionBudget
	hpa        *autoscalingv2.HorizontalPodAutoscaler
	scaled     *scaledObject
	auth       *triggerAuthentication
}

func loadBase(t *testing.T) base {
	t.Helper()
	var b base
	for _, doc := range render(t) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		switch head.APIVersion + " " + head.Kind {
		case "apps/v1 Deployment":
			b.deployment = &appsv1.Deployment{}
			strict(t, doc, b.deployment)
		case "v1 ConfigMap":
			b.configMap = &corev1.ConfigMap{}
			strict(t, doc, b.configMap)
		case "v1 Service":
			b.service = &corev1.Service{}
			strict(t, doc, b.service)
		case "policy/v1 PodDisruptionBudget":
			b.pdb = &policyv1.PodDisruptionBudget{}
			strict(t, doc, b.pdb)
		case "autoscaling/v2 HorizontalPodAutoscaler":
			b.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
			strict(t, doc, b.hpa)
		case "keda.sh/v1alpha1 ScaledObject":
			b.scaled = &scaledObject{}
			strict(t, doc, b.scaled)
		case "keda.sh/v1alpha1 TriggerAuthentication":
			b.auth = &triggerAuthentication{}
			strict(t, doc, b.auth)
		default:
			t.Errorf("unexpected object %s %s: add its type to this test", head.APIVersion, head.Kind)
		}
	}
	if b.deployment == nil || b.configMap == nil || b.service == nil || b.pdb == nil || b.scaled == nil || b.auth == nil {
		t.Fatalf("the base lacks an object: %+v", b)
	}
	return b
}

// secretSettings are the settings whose value is a secret: given as a file (…_FILE).
var secretSettings = []string{"RELANCE_KAFKA_SASL_PASSWORD", "RELANCE_REDIS_PASSWORD", "RELANCE_REDIS_SENTINEL_PASSWORD"}

// readByRelance reports whether cmd/relance reads the variable: its settings table names it
// (a secret's X_FILE is read with X).
func readByRelance(t *testing.T) func(string) bool {
	t.Helper()
	src, err := os.ReadFile("../cmd/relance/config.go")
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(RELANCE_[A-Z0-9_]+)"`).FindAllStringSubmatch(string(src), -1) {
		table[m[1]] = true
	}
	if !table["RELANCE_KAFKA_BROKERS"] || !table["RELANCE_DEAD_LETTER_PAYLOAD"] {
		t.Fatalf("cmd/relance/config.go names %d settings: the pattern no longer finds the table", len(table))
	}
	return func(name string) bool {
		if table[name] {
			return true
		}
		if base, ok := strings.CutSuffix(name, "_FILE"); ok && slices.Contains(secretSettings, base) {
			name = base
			if table[name] {
				return true
			}
		}
		return false
	}
}

func TestKubernetesSettingsAreWhatRelanceReads(t *testing.T) {
	b := loadBase(t)
	read := readByRelance(t)
	c := b.deployment.Spec.Template.Spec.Containers[0]
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != b.configMap.Name {
		t.Errorf("envFrom %+v: want the ConfigMap %s", c.EnvFrom, b.configMap.Name)
	}
	set := map[string]string{}
	for k, v := range b.configMap.Data {
		set[k] = v
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			t.Errorf("%s comes from %+v: secrets are mounted files (…_FILE), never environment values", e.Name, e.ValueFrom)
		}
		set[e.Name] = e.Value
	}
	for k := range set {
		if !strings.HasPrefix(k, "RELANCE_") || !read(k) {
			t.Errorf("the Deployment sets %s, which relance does not read", k)
		}
	}
	for _, s := range secretSettings {
		if _, ok := set[s]; ok {
			t.Errorf("%s is an environment value: give it as %s_FILE", s, s)
		}
		if !strings.HasPrefix(set[s+"_FILE"], "/etc/relance/secrets/") {
			t.Errorf("%s_FILE = %q, want a file of the mounted Secret", s, set[s+"_FILE"])
		}
	}
	for _, k := range []string{"RELANCE_KAFKA_TLS_CA_FILE", "RELANCE_REDIS_TLS_CA_FILE"} {
		if !strings.HasPrefix(set[k], "/etc/relance/tls/") {
			t.Errorf("%s = %q, want a file of the mounted TLS Secret", k, set[k])
		}
	}
	if set["RELANCE_DEAD_LETTER_PAYLOAD"] != "redacted" {
		t.Errorf("RELANCE_DEAD_LETTER_PAYLOAD = %q, want redacted", set["RELANCE_DEAD_LETTER_PAYLOAD"])
	}
	// The mounts: both Secrets, read-only.
	secrets := map[string]string{} // volume → Secret
	for _, v := range b.deployment.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secrets[v.Name] = v.Secret.SecretName
		}
	}
	mounted := map[string]bool{}
	for _, m := range c.VolumeMounts {
		if _, ok := secrets[m.Name]; ok {
			if !m.ReadOnly {
				t.Errorf("secret volume %s is mounted writable", m.Name)
			}
			mounted[m.MountPath] = true
		}
	}
	if !mounted["/etc/relance/secrets"] || !mounted["/etc/relance/tls"] {
		t.Errorf("secret mounts %v: want /etc/relance/secrets and /etc/relance/tls", mounted)
	}
}

// TestKubernetesSecretExample: the example Secrets have the keys the base reads.
func TestKubernetesSecretExample(t *testing.T) {
	data, err := os.ReadFile("kubernetes/secret.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, doc := range documents(t, data) {
		var s corev1.Secret
		strict(t, doc, &s)
		for k := range s.StringData {
			keys[s.Name+"/"+k] = true
		}
	}
	b := loadBase(t)
	secretOf := map[string]string{}
	for _, v := range b.deployment.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secretOf[v.Name] = v.Secret.SecretName
		}
	}
	c := b.deployment.Spec.Template.Spec.Containers[0]
	files := map[string]string{} // mount path → Secret
	for _, m := range c.VolumeMounts {
		if s, ok := secretOf[m.Name]; ok {
			files[m.MountPath] = s
		}
	}
	paths := map[string]string{}
	for k, v := range b.configMap.Data {
		paths[k] = v
	}
	for _, e := range c.Env {
		paths[e.Name] = e.Value
	}
	for name, p := range paths {
		if !strings.HasSuffix(name, "_FILE") || p == "" {
			continue
		}
		secret, ok := files[filepath.Dir(p)]
		if !ok {
			t.Errorf("%s = %s: not in a mounted Secret", name, p)
			continue
		}
		if !keys[secret+"/"+filepath.Base(p)] {
			t.Errorf("%s = %s: secret.example.yaml's %s has no key %s", name, p, secret, filepath.Base(p))
		}
	}
	for _, r := range b.auth.Spec.SecretTargetRef {
		if !keys[r.Name+"/"+r.Key] {
			t.Errorf("TriggerAuthentication reads %s/%s, which secret.example.yaml lacks", r.Name, r.Key)
		}
	}
}

func TestKubernetesProbesAndShutdown(t *testing.T) {
	b := loadBase(t)
	pod := b.deployment.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	admin := -1
	for _, p := range c.Ports {
		if p.Name == "admin" {
			admin = int(p.ContainerPort)
		}
	}
	if want := ":" + strings.TrimPrefix(b.configMap.Data["RELANCE_HTTP_ADDR"], ":"); admin < 0 || b.configMap.Data["RELANCE_HTTP_ADDR"] == "" || !strings.HasSuffix(want, ":"+itoa(admin)) {
		t.Errorf("admin port %d, RELANCE_HTTP_ADDR %q: they must agree", admin, b.configMap.Data["RELANCE_HTTP_ADDR"])
	}
	for name, tt := range map[string]struct {
		probe *corev1.Probe
		path  string
	}{"liveness": {c.LivenessProbe, "/healthz"}, "readiness": {c.ReadinessProbe, "/readyz"}} {
		if tt.probe == nil || tt.probe.HTTPGet == nil {
			t.Errorf("%s: no HTTP probe", name)
			continue
		}
		if tt.probe.HTTPGet.Path != tt.path || tt.probe.HTTPGet.Port.String() != "admin" {
			t.Errorf("%s probe %s on port %s, want %s on admin", name, tt.probe.HTTPGet.Path, tt.probe.HTTPGet.Port.String(), tt.path)
		}
	}
	// relance's shutdown grace (processor.Config.ShutdownGrace, 30 s) plus closing Redis
	// and the admin server must fit before SIGKILL.
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g <= 30 || *g > 120 {
		t.Errorf("terminationGracePeriodSeconds %v: want more than relance's 30 s grace", g)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want CPU and memory requests and a memory limit", c.Resources)
	}
	sc, psc := c.SecurityContext, pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod securityContext %+v: want a non-root user", psc)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("container securityContext %+v: want a read-only root, no privilege escalation, no capabilities", sc)
	}
	sel := b.deployment.Spec.Selector.MatchLabels
	for k, v := range sel {
		if b.deployment.Spec.Template.Labels[k] != v || b.service.Spec.Selector[k] != v || b.pdb.Spec.Selector.MatchLabels[k] != v {
			t.Errorf("label %s=%s: the pod, the Service and the PodDisruptionBudget must all select it", k, v)
		}
	}
}

func TestKubernetesServiceAndAutoscaling(t *testing.T) {
	b := loadBase(t)
	ann := b.service.Annotations
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/path"] != "/metrics" || ann["prometheus.io/port"] != "8080" {
		t.Errorf("Service annotations %v: want Prometheus to scrape /metrics on 8080", ann)
	}
	if len(b.service.Spec.Ports) != 1 || b.service.Spec.Ports[0].TargetPort.String() != "admin" {
		t.Errorf("Service ports %+v: want the admin port", b.service.Spec.Ports)
	}
	if b.pdb.Spec.MaxUnavailable == nil || b.pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("PodDisruptionBudget maxUnavailable %v, want 1", b.pdb.Spec.MaxUnavailable)
	}
	s := b.scaled.Spec
	if s.ScaleTargetRef.Name != b.deployment.Name {
		t.Errorf("ScaledObject scales %q, want the Deployment %q", s.ScaleTargetRef.Name, b.deployment.Name)
	}
	// The compose file's kafka-init creates the input topics with the partitions a
	// deployment starts with: more instances than partitions would sit idle.
	partitions := inputPartitions(t)
	if s.MaxReplicaCount < 1 || s.MaxReplicaCount > partitions || s.MinReplicaCount < 1 || s.MinReplicaCount > s.MaxReplicaCount {
		t.Errorf("replicas %d..%d: want at least 1 and at most the input topics' %d partitions", s.MinReplicaCount, s.MaxReplicaCount, partitions)
	}
	if len(s.Triggers) != 1 || s.Triggers[0].Type != "kafka" {
		t.Fatalf("triggers %+v: want one kafka trigger", s.Triggers)
	}
	md := s.Triggers[0].Metadata
	if md["consumerGroup"] != b.configMap.Data["RELANCE_GROUP_ID"] || md["bootstrapServers"] != b.configMap.Data["RELANCE_KAFKA_BROKERS"] || md["lagThreshold"] == "" {
		t.Errorf("kafka trigger %v: want relance's group and brokers and a lagThreshold", md)
	}
	if s.Triggers[0].AuthenticationRef.Name != b.auth.Metadata.Name {
		t.Errorf("kafka trigger authenticates with %q, want %q", s.Triggers[0].AuthenticationRef.Name, b.auth.Metadata.Name)
	}
}

// inputPartitions is the fewest partitions of an input topic in docker-compose.yml.
func inputPartitions(t *testing.T) int {
	t.Helper()
	cmd := words(loadCompose(t).Services["kafka-init"].Command)
	least := 0
	for _, m := range regexp.MustCompile(`--topic\s+(message-sent|reply|member-action)\s+--partitions\s+(\d+)`).FindAllStringSubmatch(cmd, -1) {
		n := atoi(t, m[2])
		if least == 0 || n < least {
			least = n
		}
	}
	if least == 0 {
		t.Fatal("docker-compose.yml's kafka-init gives no partitions for the input topics")
	}
	return least
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
