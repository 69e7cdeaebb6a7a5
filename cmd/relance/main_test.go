package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// binary builds relance once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "relance")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(config) bool
		wantErr string
	}{
		{name: "defaults", check: func(c config) bool {
			return len(c.brokers) == 0 && c.groupID == "relance" && c.httpAddr == ":8080" && c.topics.Reply == "reply" &&
				c.topics.MemberAction == "member-action"
		}},
		{name: "member-action topic", env: map[string]string{"RELANCE_TOPIC_MEMBER_ACTION": "app.member-action"},
			check: func(c config) bool { return c.topics.MemberAction == "app.member-action" }},
		{name: "member-action topic flag", args: []string{"-topic-member-action", "actions"}, env: map[string]string{"RELANCE_TOPIC_MEMBER_ACTION": "app.member-action"},
			check: func(c config) bool { return c.topics.MemberAction == "actions" }},
		{name: "environment", env: map[string]string{"RELANCE_KAFKA_BROKERS": "k1:9092, k2:9092", "RELANCE_TOPIC_REPLY": "chat.reply"},
			check: func(c config) bool {
				return len(c.brokers) == 2 && c.brokers[1] == "k2:9092" && c.topics.Reply == "chat.reply"
			}},
		{name: "flag over environment", args: []string{"-group-id", "g2"}, env: map[string]string{"RELANCE_GROUP_ID": "g1"},
			check: func(c config) bool { return c.groupID == "g2" }},
		{name: "redis cluster", env: map[string]string{"RELANCE_REDIS_ADDR": "r1:6379,r2:6379,r3:6379"},
			check: func(c config) bool { return len(c.redisAddrs) == 3 }},
		{name: "session timeout", env: map[string]string{"RELANCE_KAFKA_SESSION_TIMEOUT": "10s"},
			check: func(c config) bool {
				return c.sessionTimeout == 10*time.Second && c.contentTimeout == 200*time.Millisecond
			}},
		{name: "close timeout default", check: func(c config) bool { return c.closeTimeout == 3*time.Second }},
		{name: "close timeout", env: map[string]string{"RELANCE_KAFKA_CLOSE_TIMEOUT": "10s"},
			check: func(c config) bool {
				return c.closeTimeout == 10*time.Second && c.setup().Processor.CloseTimeout == 10*time.Second
			}},
		{name: "close timeout too long", env: map[string]string{"RELANCE_KAFKA_CLOSE_TIMEOUT": "2m"}, wantErr: "RELANCE_KAFKA_CLOSE_TIMEOUT"},
		{name: "close timeout zero", env: map[string]string{"RELANCE_KAFKA_CLOSE_TIMEOUT": "0s"}, wantErr: "RELANCE_KAFKA_CLOSE_TIMEOUT"},
		{name: "state cache default", check: func(c config) bool { return c.cachePairs == 100_000 }},
		{name: "state cache from the environment", env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "0"},
			check: func(c config) bool { return c.cachePairs == 0 }},
		{name: "state cache flag", args: []string{"-state-cache-pairs", "2000"}, check: func(c config) bool { return c.cachePairs == 2000 }},
		{name: "state cache not a number", env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "lots"}, wantErr: "RELANCE_STATE_CACHE_PAIRS"},
		{name: "state cache negative", env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "-1"}, wantErr: "from 0 to"},
		{name: "state cache too large", args: []string{"-state-cache-pairs", "20000000"}, wantErr: "from 0 to"},
		{name: "dead-letter payload default", check: func(c config) bool {
			return c.deadLetterPayload == "redacted" && c.setup().Processor.DeadLetterPayload == record.PayloadRedacted
		}},
		{name: "dead-letter payload full", env: map[string]string{"RELANCE_DEAD_LETTER_PAYLOAD": "full"},
			check: func(c config) bool { return c.setup().Processor.DeadLetterPayload == record.PayloadFull }},
		{name: "dead-letter payload unknown", env: map[string]string{"RELANCE_DEAD_LETTER_PAYLOAD": "none"}, wantErr: "RELANCE_DEAD_LETTER_PAYLOAD"},
		{name: "dead-letter payload empty flag", args: []string{"-dead-letter-payload="}, wantErr: "RELANCE_DEAD_LETTER_PAYLOAD"},
		{name: "remote concurrency default", check: func(c config) bool { return c.contentConcurrency == 32 }},
		{name: "remote concurrency from the environment", env: map[string]string{"RELANCE_CONTENT_REMOTE_CONCURRENCY": "100"},
			check: func(c config) bool { return c.contentConcurrency == 100 }},
		{name: "remote concurrency not a number", env: map[string]string{"RELANCE_CONTENT_REMOTE_CONCURRENCY": "many"}, wantErr: "RELANCE_CONTENT_REMOTE_CONCURRENCY"},
		{name: "remote concurrency zero", args: []string{"-content-remote-concurrency", "0"}, wantErr: "from 1 to 1024"},
		{name: "remote concurrency too large", env: map[string]string{"RELANCE_CONTENT_REMOTE_CONCURRENCY": "5000"}, wantErr: "from 1 to 1024"},
		{name: "bad duration", env: map[string]string{"RELANCE_KAFKA_SESSION_TIMEOUT": "soon"}, wantErr: "RELANCE_KAFKA_SESSION_TIMEOUT"},
		{name: "invalid topic", env: map[string]string{"RELANCE_TOPIC_DEAD_LETTER": "dead letter"}, wantErr: "dead letter"},
		{name: "demo needs the embedded broker", args: []string{"-demo"}, env: map[string]string{"RELANCE_KAFKA_BROKERS": "k:9092"}, wantErr: "embedded broker"},
		{name: "stray argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Fatalf("config %+v, err %v", c, err)
			}
		})
	}
}

// TestSettingSources runs each type of setting through its three sources: a flag beats the
// environment, which beats the default.
func TestSettingSources(t *testing.T) {
	groupID := func(c config) any { return c.groupID }
	demo := func(c config) any { return c.demo }
	demoExit := func(c config) any { return c.demoExit }
	cachePairs := func(c config) any { return c.cachePairs }
	demoPace := func(c config) any { return c.demoPace }
	brokers := func(c config) any { return c.brokers }
	tests := []struct {
		name string
		args []string
		env  map[string]string
		get  func(config) any
		want any
	}{
		{name: "string default", get: groupID, want: "relance"},
		{name: "string from the environment", env: map[string]string{"RELANCE_GROUP_ID": "g1"}, get: groupID, want: "g1"},
		{name: "string flag beats the environment", args: []string{"-group-id", "g2"}, env: map[string]string{"RELANCE_GROUP_ID": "g1"}, get: groupID, want: "g2"},
		{name: "empty variable counts as unset", env: map[string]string{"RELANCE_GROUP_ID": ""}, get: groupID, want: "relance"},
		{name: "bool default", get: demo, want: false},
		{name: "bool from the environment: true", env: map[string]string{"RELANCE_DEMO": "true"}, get: demo, want: true},
		{name: "bool from the environment: 1", env: map[string]string{"RELANCE_DEMO": "1"}, get: demo, want: true},
		{name: "bool from the environment: false", env: map[string]string{"RELANCE_DEMO": "false"}, get: demo, want: false},
		{name: "bool from the environment: 0", env: map[string]string{"RELANCE_DEMO": "0"}, get: demo, want: false},
		{name: "bare bool flag means true", args: []string{"-demo"}, get: demo, want: true},
		{name: "bool flag beats the environment", args: []string{"-demo=false"}, env: map[string]string{"RELANCE_DEMO": "1"}, get: demo, want: false},
		{name: "second bool from the environment", env: map[string]string{"RELANCE_DEMO": "1", "RELANCE_DEMO_EXIT": "true"}, get: demoExit, want: true},
		{name: "int default", get: cachePairs, want: 100_000},
		{name: "int from the environment", env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "0"}, get: cachePairs, want: 0},
		{name: "int flag beats the environment", args: []string{"-state-cache-pairs", "2000"}, env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "0"}, get: cachePairs, want: 2000},
		{name: "duration default", get: demoPace, want: 700 * time.Millisecond},
		{name: "duration from the environment", env: map[string]string{"RELANCE_DEMO_PACE": "-1ns"}, get: demoPace, want: -time.Nanosecond},
		{name: "duration flag beats the environment", args: []string{"-demo-pace=2s"}, env: map[string]string{"RELANCE_DEMO_PACE": "-1ns"}, get: demoPace, want: 2 * time.Second},
		{name: "list default", get: brokers, want: []string(nil)},
		{name: "list from the environment, spaces and empty items dropped", env: map[string]string{"RELANCE_KAFKA_BROKERS": " k1:9092, ,k2:9092,"}, get: brokers, want: []string{"k1:9092", "k2:9092"}},
		{name: "list flag replaces the environment's", args: []string{"-kafka-brokers", "k3:9092"}, env: map[string]string{"RELANCE_KAFKA_BROKERS": "k1:9092,k2:9092"}, get: brokers, want: []string{"k3:9092"}},
		{name: "list flag empty beats the environment", args: []string{"-kafka-brokers="}, env: map[string]string{"RELANCE_KAFKA_BROKERS": "k1:9092"}, get: brokers, want: []string(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestBadSettingIsNamed covers each type that can fail to parse (a string or a list
// cannot), from the environment and from a flag.
func TestBadSettingIsNamed(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "int variable", env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "abc"}, wantErr: `RELANCE_STATE_CACHE_PAIRS: "abc" is not a whole number`},
		{name: "int variable out of range", env: map[string]string{"RELANCE_STATE_CACHE_PAIRS": "99999999999999999999"}, wantErr: `RELANCE_STATE_CACHE_PAIRS: "99999999999999999999" is out of range`},
		{name: "duration variable", env: map[string]string{"RELANCE_KAFKA_SESSION_TIMEOUT": "soon"}, wantErr: `RELANCE_KAFKA_SESSION_TIMEOUT: "soon" is not a duration (such as 200ms, 30s or 5m)`},
		{name: "duration variable without a unit", env: map[string]string{"RELANCE_DEMO_PACE": "700"}, wantErr: `RELANCE_DEMO_PACE: "700" is not a duration (such as 200ms, 30s or 5m)`},
		{name: "bool variable", env: map[string]string{"RELANCE_DEMO": "yes"}, wantErr: `RELANCE_DEMO: "yes" is not a boolean (true or false, 1 or 0)`},
		{name: "int flag", args: []string{"-state-cache-pairs", "abc"}, wantErr: `invalid value "abc" for flag -state-cache-pairs: not a whole number`},
		{name: "duration flag", args: []string{"-demo-pace", "soon"}, wantErr: `invalid value "soon" for flag -demo-pace: not a duration (such as 200ms, 30s or 5m)`},
		{name: "bool flag", args: []string{"-demo=yes"}, wantErr: `invalid boolean value "yes" for -demo: not a boolean (true or false, 1 or 0)`},
		{name: "unknown flag", args: []string{"-kafka-broker", "k:9092"}, wantErr: "flag provided but not defined: -kafka-broker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %s", err, tt.wantErr)
			}
		})
	}
}

func TestHelpListsEveryEnvironmentVariable(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-help"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, v := range []string{"RELANCE_KAFKA_BROKERS", "RELANCE_REDIS_ADDR", "RELANCE_GROUP_ID", "RELANCE_TOPIC_MESSAGE_SENT",
		"RELANCE_TOPIC_REPLY", "RELANCE_TOPIC_MEMBER_ACTION", "RELANCE_TOPIC_COACH_NUDGE", "RELANCE_TOPIC_MODERATION_ALERT", "RELANCE_TOPIC_DEAD_LETTER",
		"RELANCE_POLICY_FILE", "RELANCE_SHADOW_POLICY_FILE", "RELANCE_HTTP_ADDR", "RELANCE_LOG_LEVEL", "RELANCE_CONTENT_WORDS_FILE",
		"RELANCE_CONTENT_REMOTE_URL", "RELANCE_CONTENT_REMOTE_TIMEOUT", "RELANCE_CONTENT_REMOTE_CONCURRENCY", "RELANCE_KAFKA_SESSION_TIMEOUT",
		"RELANCE_KAFKA_CLOSE_TIMEOUT", "RELANCE_STATE_CACHE_PAIRS", "RELANCE_DEAD_LETTER_PAYLOAD", "RELANCE_DEMO", "RELANCE_DEMO_EXIT", "RELANCE_DEMO_PACE"} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("-help does not mention %s", v)
		}
	}
}

// TestHelpShowsBuiltInDefaults: -help gives the default, not what the environment set.
func TestHelpShowsBuiltInDefaults(t *testing.T) {
	var out bytes.Buffer
	env := map[string]string{"RELANCE_GROUP_ID": "g1", "RELANCE_STATE_CACHE_PAIRS": "7", "RELANCE_DEMO": "1"}
	_, err := parseConfig([]string{"-help"}, func(k string) string { return env[k] }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{
		"  -group-id string\n    \tKafka consumer group (env RELANCE_GROUP_ID, default \"relance\")\n",
		"(env RELANCE_STATE_CACHE_PAIRS, default \"100000\")",
		"  -demo\n",
		"(env RELANCE_DEMO, default \"false\")",
		"  -demo-pace duration\n",
		"  -kafka-brokers list\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-help lacks %q:\n%s", want, out.String())
		}
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table in step with the
// settings: each variable with its flag.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var c config
	for _, s := range c.settings() {
		row := fmt.Sprintf("| `%s` | `-%s` |", s.env, s.flag)
		if s.flag == "" { // a secret: its variable or its file, no flag
			row = fmt.Sprintf("| `%s`, `%s_FILE` | none |", s.env, s.env)
		}
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no row %q", row)
		}
	}
}

func TestBadPolicyFileStopsStartup(t *testing.T) {
	bin := binary(t)
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte("follow_up:\n  nudge_at: 4\n  alerts:\n    - at: 7\n      severity: urgent\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "RELANCE_POLICY_FILE="+file, "RELANCE_HTTP_ADDR=127.0.0.1:0")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "severity") || !strings.Contains(string(out), "urgent") {
		t.Errorf("the error does not name the bad field:\n%s", out)
	}
}

func TestBadContentWordsFileStopsStartup(t *testing.T) {
	file := filepath.Join(t.TempDir(), "words.tsv")
	if err := os.WriteFile(file, []byte("add\tfr\tcrétin\tinsolence\tmedium\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t))
	cmd.Env = append(os.Environ(), "RELANCE_CONTENT_WORDS_FILE="+file, "RELANCE_HTTP_ADDR=127.0.0.1:0")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "words.tsv") || !strings.Contains(string(out), "insolence") {
		t.Errorf("the error does not name the file and the bad value:\n%s", out)
	}
}

// TestSIGTERMCommitsAndExitsZero runs the real binary against a broker and a redis-server
// over TCP, lets it nudge, then stops it as an orchestrator would.
func TestSIGTERMCommitsAndExitsZero(t *testing.T) {
	redisAddr := testenv.StartRedis(t)
	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	bin := binary(t)

	base := time.Now().Add(-time.Hour).UTC()
	for i := 1; i <= 4; i++ { // 10 minutes apart, more than the default burst: 4 attempts
		value, _ := json.Marshal(topics.MessageSent{MessageID: fmt.Sprintf("m-%d", i), SenderID: "ana", RecipientID: "ben",
			SentAt: base.Add(time.Duration(i) * 10 * time.Minute), Text: "coucou"})
		testenv.Produce(t, brokers, names.MessageSent, kafka.Message{Key: []byte("ana"), Value: value})
	}

	p := startProcess(t, bin,
		"RELANCE_KAFKA_BROKERS="+strings.Join(brokers, ","),
		"RELANCE_REDIS_ADDR="+redisAddr,
		"RELANCE_GROUP_ID=sigterm-test")

	nudges := testenv.ReadTopic(t, brokers, names.CoachNudge, 2, 30*time.Second)
	if len(nudges) != 2 {
		t.Fatalf("nudges: %d, want 2\n%s", len(nudges), p.stderr())
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("exit after SIGTERM: %v, want 0\n%s", p.err, p.stderr())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("relance did not exit within 30s of SIGTERM\n%s", p.stderr())
	}

	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second, Transport: transport}
	committed, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: "sigterm-test",
		Topics: map[string][]int{names.MessageSent: {0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, p := range committed.Topics[names.MessageSent] {
		total += max(p.CommittedOffset, 0)
	}
	if total != 4 {
		t.Errorf("committed offsets add up to %d, want the 4 messages", total)
	}
	if strings.Contains(p.stderr(), "coucou") {
		t.Errorf("message text reached the logs")
	}
}

// TestDemoPlaysToTheEnd is `make demo`: embedded broker and Redis, the scenario, exit 0.
func TestDemoPlaysToTheEnd(t *testing.T) {
	bin := binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-demo", "-demo-exit", "-demo-pace", "-1ns", "-http-addr", "127.0.0.1:0", "-log-level", "warn")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "scenario complete") {
		t.Errorf("the demo did not report its end:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "embedded") {
		t.Errorf("the embedded mode was not logged loudly:\n%s", stderr.String())
	}
}

// process is a relance binary running for a test; it is killed at the end of the test if
// still running.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited; err is then its exit error
	err  error
	mu   sync.Mutex
	errs bytes.Buffer
}

func startProcess(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin), done: make(chan struct{})}
	p.cmd.Env = append(append(os.Environ(), "RELANCE_HTTP_ADDR=127.0.0.1:0"), env...)
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Write collects the process's stderr (its logs).
func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errs.Write(b)
}

func (p *process) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errs.String()
}

// TestKcatEventsFromTheREADME produces and reads events with kcat as the README shows.
func TestKcatEventsFromTheREADME(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("kcat not found on PATH (CI installs it with apt-get install kcat)")
		}
		t.Skip("kcat not found on PATH: apt-get install kcat to run this test")
	}
	redisAddr := testenv.StartRedis(t)
	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	p := startProcess(t, binary(t), "RELANCE_KAFKA_BROKERS="+brokers[0], "RELANCE_REDIS_ADDR="+redisAddr)

	// As the README's loop: six minutes apart, ending now, so four attempts
	// (date -u -d "$((6 * (i - 4))) minutes" +%Y-%m-%dT%H:%M:%SZ).
	now := time.Now().UTC()
	var events strings.Builder
	for i := 1; i <= 4; i++ {
		at := now.Add(time.Duration(6*(i-4)) * time.Minute).Format("2006-01-02T15:04:05Z")
		fmt.Fprintf(&events, `{"message_id":"k-%d","sender_id":"u-1","recipient_id":"u-2","sent_at":"%s","locale":"en"}`+"\n", i, at)
	}
	produce := exec.Command(kcat, "-b", brokers[0], "-t", names.MessageSent, "-P", "-k", "u-1")
	produce.Stdin = strings.NewReader(events.String())
	if out, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, kcat, "-b", brokers[0], "-t", names.CoachNudge, "-C", "-o", "beginning", "-c", "2", "-q").Output()
	if err != nil {
		t.Fatalf("kcat -C: %v\n%s", err, p.stderr())
	}
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var n topics.CoachNudge
		if err := json.Unmarshal([]byte(line), &n); err != nil {
			t.Fatalf("kcat read %q: %v", line, err)
		}
		kinds = append(kinds, n.Kind+" "+n.UserID+" "+n.Locale)
	}
	if want := []string{"follow_up_limit u-1 en", "check_in u-2 en"}; strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Errorf("nudges read with kcat: %q, want %q", kinds, want)
	}
}

// exitCode is the exit status of a finished command: 0 when err is nil; a failure to run
// it at all fails the test.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}
