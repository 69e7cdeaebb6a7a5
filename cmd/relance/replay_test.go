package main

import (
	"bufio"
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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/topics"
)

// seven is ana writing ben seven times, ten minutes apart, two days ago, unanswered: under
// the default policy a nudge to each at the fourth and a medium alert at the seventh.
func seven(t *testing.T) []kafka.Message {
	t.Helper()
	base := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Minute)
	var msgs []kafka.Message
	for i := 1; i <= 7; i++ {
		at := base.Add(time.Duration(i) * 10 * time.Minute)
		v, err := json.Marshal(topics.MessageSent{MessageID: fmt.Sprintf("m-%d", i), SenderID: "ana", RecipientID: "ben", SentAt: at})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Topic: topics.DefaultMessageSent, Offset: int64(i - 1), Key: []byte("ana"), Value: v, Time: at})
	}
	return msgs
}

// kcatFile writes msgs as kcat -C -J lines.
func kcatFile(t *testing.T, msgs []kafka.Message) string {
	t.Helper()
	var b bytes.Buffer
	for _, m := range msgs {
		line, err := json.Marshal(map[string]any{"topic": m.Topic, "partition": m.Partition, "offset": m.Offset,
			"tstype": "create", "ts": m.Time.UnixMilli(), "broker": 1, "key": string(m.Key), "payload": string(m.Value)})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	file := filepath.Join(t.TempDir(), "records.jsonl")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func noEnv(string) string { return "" }

func TestReplayArguments(t *testing.T) {
	file := kcatFile(t, seven(t))
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "no input", args: nil, wantErr: "needs --input FILE, or --from and --to"},
		{name: "file and times", args: []string{"--input", file, "--from", "2026-11-23T00:00:00Z", "--to", "2026-11-24T00:00:00Z"}, wantErr: "exclusive"},
		{name: "from without to", args: []string{"--from", "2026-11-23T00:00:00Z"}, wantErr: "go together"},
		{name: "not a time", args: []string{"--from", "yesterday", "--to", "2026-11-24T00:00:00Z"}, env: map[string]string{"RELANCE_KAFKA_BROKERS": "k:9092"}, wantErr: `--from "yesterday": not an RFC 3339 time`},
		{name: "from after to", args: []string{"--from", "2026-11-24T00:00:00Z", "--to", "2026-11-23T00:00:00Z"}, env: map[string]string{"RELANCE_KAFKA_BROKERS": "k:9092"}, wantErr: "is not before --to"},
		{name: "topics without brokers", args: []string{"--from", "2026-11-23T00:00:00Z", "--to", "2026-11-24T00:00:00Z"}, wantErr: "set RELANCE_KAFKA_BROKERS"},
		{name: "unknown format", args: []string{"--input", file, "--format", "yaml"}, wantErr: `--format "yaml": want text or json`},
		{name: "unknown flag", args: []string{"--input", file, "--policies", "p.yaml"}, wantErr: "flag provided but not defined: -policies"},
		{name: "extra argument", args: []string{"--input", file, "p.yaml"}, wantErr: `unexpected argument "p.yaml"`},
		{name: "bad environment", args: []string{"--input", file}, env: map[string]string{"RELANCE_KAFKA_TLS": "maybe"}, wantErr: "RELANCE_KAFKA_TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), append([]string{"replay"}, tt.args...), func(k string) string { return tt.env[k] }, &stdout, &stderr)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want a usage error mentioning %q", err, tt.wantErr)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: %s", stdout.String())
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		var stderr bytes.Buffer
		err := dispatch(context.Background(), []string{"replay", "-help"}, noEnv, &bytes.Buffer{}, &stderr)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("err = %v, want flag.ErrHelp", err)
		}
		for _, want := range []string{"Examples:", "relance replay --policy nudge-at-5.yaml --input week.jsonl", "--from", "RELANCE_KAFKA_SASL_PASSWORD", "RELANCE_CONTENT_WORDS_FILE"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("help lacks %q", want)
			}
		}
		if strings.Contains(stderr.String(), "RELANCE_REDIS") || strings.Contains(stderr.String(), "RELANCE_GROUP_ID") {
			t.Error("help offers Redis or group settings, which replay does not use")
		}
	})
	t.Run("missing policy file", func(t *testing.T) {
		err := dispatch(context.Background(), []string{"replay", "--input", file, "--policy", filepath.Join(t.TempDir(), "nope.yaml")}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "nope.yaml") {
			t.Fatalf("err = %v, want an error naming the file (exit 1)", err)
		}
	})
}

// TestReplayJSON checks the shape of --format json: one object per policy, one a line,
// with policy_version, events, nudges by kind and alerts by severity, and the diff of a
// candidate from the first policy.
func TestReplayJSON(t *testing.T) {
	file := kcatFile(t, seven(t))
	at5 := writeFile(t, "version: nudge-at-5\nfollow_up:\n  nudge_at: 5\n")
	var stdout, stderr bytes.Buffer
	if err := dispatch(context.Background(), []string{"replay", "--input", file, "--format", "json", "--policy", at5, "--policy", at5},
		noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var objs []map[string]any
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var o map[string]any
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		objs = append(objs, o)
	}
	if len(objs) != 2 {
		t.Fatalf("%d objects, want one per policy (2):\n%s", len(objs), stdout.String())
	}
	for i, o := range objs {
		if o["policy_version"] != "nudge-at-5" || o["events"] != 7.0 {
			t.Errorf("object %d: policy_version %v, events %v; want nudge-at-5, 7", i, o["policy_version"], o["events"])
		}
		want := map[string]any{"follow_up_reminder": 0.0, "follow_up_limit": 1.0, "respectful_language": 0.0, "check_in": 1.0}
		if !reflect.DeepEqual(o["nudges"], want) {
			t.Errorf("object %d: nudges %v, want %v", i, o["nudges"], want)
		}
		if want := map[string]any{"low": 0.0, "medium": 1.0, "high": 0.0}; !reflect.DeepEqual(o["alerts"], want) {
			t.Errorf("object %d: alerts %v, want %v", i, o["alerts"], want)
		}
		for _, key := range []string{"events_by_outcome", "events_by_topic", "alerts_by_reason", "streaks_by_attempts"} {
			if _, ok := o[key].(map[string]any); !ok {
				t.Errorf("object %d: %s is %T, want an object", i, key, o[key])
			}
		}
		for _, key := range []string{"members_nudged", "members_checked_in", "members_alerted"} {
			if o[key] != 1.0 {
				t.Errorf("object %d: %s %v, want 1", i, key, o[key])
			}
		}
	}
	if _, ok := objs[0]["diff"]; ok {
		t.Error("the first policy has a diff")
	}
	d, ok := objs[1]["diff"].(map[string]any)
	if !ok || !reflect.DeepEqual(d["nudges"], map[string]any{"follow_up_reminder": 0.0, "follow_up_limit": 0.0, "respectful_language": 0.0, "check_in": 0.0}) || d["members_nudged_added"] != 0.0 {
		t.Errorf("diff of the same policy %v, want zeros", objs[1]["diff"])
	}
}

// TestReplayWritesNothing replays topics of a kfake broker with the environment of a
// processor, Redis included, and checks that nothing was written anywhere: every topic's
// end offsets are unchanged, no consumer group exists, and the redis-server has no key and
// received no connection.
func TestReplayWritesNothing(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	msgs := seven(t)
	for i := range msgs {
		msgs[i].Topic, msgs[i].Offset = "", 0
	}
	testenv.Produce(t, brokers, names.MessageSent, msgs...)
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
	t.Cleanup(func() { rdb.Close() })
	client, closeClient := testenv.NewClient(brokers...)
	defer closeClient()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	connections := func() string {
		info, err := rdb.Info(ctx, "stats").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(info, "\n") {
			if strings.HasPrefix(line, "total_connections_received:") {
				return strings.TrimSpace(line)
			}
		}
		t.Fatal("no total_connections_received in INFO stats")
		return ""
	}
	before, err := testenv.EndOffsets(ctx, client, names.All()...)
	if err != nil {
		t.Fatal(err)
	}
	connsBefore := connections()

	env := map[string]string{"RELANCE_KAFKA_BROKERS": brokers[0], "RELANCE_REDIS_ADDR": rdb.Options().Addr}
	from, to := msgs[0].Time.Add(-time.Minute), msgs[6].Time.Add(time.Minute)
	var stdout, stderr bytes.Buffer
	err = dispatch(ctx, []string{"replay", "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--format", "json"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var r struct {
		Events int            `json:"events"`
		Nudges map[string]int `json:"nudges"`
		Alerts map[string]int `json:"alerts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if r.Events != 7 || r.Nudges["follow_up_limit"] != 1 || r.Alerts["medium"] != 1 {
		t.Fatalf("replayed %+v, want 7 events, a follow_up_limit and a medium alert", r)
	}

	after, err := testenv.EndOffsets(ctx, client, names.All()...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("end offsets changed: %v, then %v", before, after)
	}
	groups, err := client.ListGroups(ctx, &kafka.ListGroupsRequest{})
	if err != nil || groups.Error != nil {
		t.Fatalf("list groups: %v %v", err, groups.Error)
	}
	if len(groups.Groups) > 0 {
		t.Errorf("consumer groups %v: replay must not join one", groups.Groups)
	}
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Errorf("redis holds %d keys (%v), want none", n, err)
	}
	if got := connections(); got != connsBefore {
		t.Errorf("redis %s, then %s: replay connected to it", connsBefore, got)
	}
}

// TestReplayExitCodes runs the binary: a bad command line exits 2, an unreachable broker
// exits 1 with an error naming it, and a file replays with exit 0.
func TestReplayExitCodes(t *testing.T) {
	bin := binary(t)
	file := kcatFile(t, seven(t))
	tests := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		want     string
	}{
		{name: "bad arguments", args: []string{"replay", "--format", "yaml", "--input", file}, wantCode: 2, want: "want text or json"},
		{name: "unreachable broker", args: []string{"replay", "--from", "2026-11-23T00:00:00Z", "--to", "2026-11-24T00:00:00Z"},
			env: []string{"RELANCE_KAFKA_BROKERS=127.0.0.1:1"}, wantCode: 1, want: "kafka 127.0.0.1:1"},
		{name: "a file", args: []string{"replay", "--input", file}, wantCode: 0, want: "follow_up_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			cmd.Env = append(slices.Clone(os.Environ()), tt.env...)
			out, err := cmd.CombinedOutput()
			code := exitCode(t, err)
			if code != tt.wantCode || !strings.Contains(string(out), tt.want) {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s", code, tt.wantCode, tt.want, out)
			}
		})
	}
}

// TestReplayProgress: the progress line goes to standard error with --progress, and not
// without it when standard error is not a terminal (as here).
func TestReplayProgress(t *testing.T) {
	file := kcatFile(t, seven(t))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{args: []string{"--progress"}, want: "replay: 7 events of 7 (100%), "},
		{args: nil, want: ""},
	} {
		var stdout, stderr bytes.Buffer
		if err := dispatch(context.Background(), append([]string{"replay", "--input", file}, tt.args...), noEnv, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if tt.want == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "done in") != (tt.want == "") {
			t.Errorf("%v: stderr %q, want %q", tt.args, stderr.String(), tt.want)
		}
		if !strings.Contains(stdout.String(), "follow_up_limit") {
			t.Errorf("%v: stdout %q", tt.args, stdout.String())
		}
	}
}

// TestReplayUsesTheWordsFile: replay's text check is the processor's, with the operator's
// words file (RELANCE_CONTENT_WORDS_FILE) applied.
func TestReplayUsesTheWordsFile(t *testing.T) {
	at := time.Now().UTC().Add(-time.Hour)
	v, _ := json.Marshal(topics.MessageSent{MessageID: "m-1", SenderID: "ana", RecipientID: "ben", SentAt: at, Text: "espèce de zorglub", Locale: "fr"})
	file := kcatFile(t, []kafka.Message{{Topic: topics.DefaultMessageSent, Key: []byte("ana"), Value: v, Time: at}})
	words := filepath.Join(t.TempDir(), "words.tsv")
	if err := os.WriteFile(words, []byte("add\tfr\tzorglub\tinsult\tmedium\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  map[string]string
		want float64
	}{
		{env: nil, want: 0},
		{env: map[string]string{"RELANCE_CONTENT_WORDS_FILE": words}, want: 1},
	} {
		var stdout, stderr bytes.Buffer
		if err := dispatch(context.Background(), []string{"replay", "--input", file, "--format", "json"}, func(k string) string { return tt.env[k] }, &stdout, &stderr); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		var r struct {
			Nudges map[string]float64 `json:"nudges"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if got := r.Nudges[topics.KindRespectfulLanguage]; got != tt.want {
			t.Errorf("words file %q: %v respectful_language nudges, want %v", tt.env["RELANCE_CONTENT_WORDS_FILE"], got, tt.want)
		}
	}
}
