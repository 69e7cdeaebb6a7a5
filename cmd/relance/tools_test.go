package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

func TestToolsCommandLine(t *testing.T) {
	redisEnv := map[string]string{"RELANCE_REDIS_ADDR": "127.0.0.1:6379"}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "inspect one member", args: []string{"inspect", "alice"}, env: redisEnv, wantErr: "takes A B, got 1"},
		{name: "inspect three members", args: []string{"inspect", "a", "b", "c"}, env: redisEnv, wantErr: "got 3"},
		{name: "inspect one member twice", args: []string{"inspect", "a", "a"}, env: redisEnv, wantErr: "same member"},
		{name: "inspect an unknown format", args: []string{"inspect", "a", "b", "-format", "yaml"}, env: redisEnv, wantErr: `-format "yaml"`},
		{name: "inspect an unknown flag", args: []string{"inspect", "-fast", "a", "b"}, env: redisEnv, wantErr: "-fast"},
		{name: "inspect without Redis", args: []string{"inspect", "a", "b"}, wantErr: "RELANCE_REDIS_ADDR"},
		{name: "forget no member", args: []string{"forget"}, env: redisEnv, wantErr: "takes MEMBER, got 0"},
		{name: "forget two members", args: []string{"forget", "a", "b"}, env: redisEnv, wantErr: "got 2"},
		{name: "forget an empty id", args: []string{"forget", ""}, env: redisEnv, wantErr: "empty member id"},
		{name: "forget an id no event can hold", args: []string{"forget", strings.Repeat("x", 129)}, env: redisEnv, wantErr: "at most 128"},
		{name: "forget a control character", args: []string{"forget", "a\nb"}, env: redisEnv, wantErr: "control character"},
		{name: "forget a bad database", args: []string{"forget", "a"}, env: map[string]string{"RELANCE_REDIS_ADDR": "r:6379", "RELANCE_REDIS_DB": "x"}, wantErr: "RELANCE_REDIS_DB"},
		{name: "forget a negative database", args: []string{"forget", "a", "-redis-db", "-1"}, env: redisEnv, wantErr: "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, func(k string) string { return tt.env[k] }, &stdout, &stderr)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want a usage error mentioning %q", err, tt.wantErr)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: %s", stdout.String())
			}
			if !strings.Contains(stderr.String(), "Usage: relance "+tt.args[0]) {
				t.Errorf("stderr lacks the usage:\n%s", stderr.String())
			}
		})
	}
}

// TestToolsExitCodes runs the binary: 0 for -help (with an example), 2 for a command line
// that cannot work, 1 for a Redis it cannot reach, named by its address.
func TestToolsExitCodes(t *testing.T) {
	bin := binary(t)
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	unreachable := fmt.Sprintf("127.0.0.1:%d", port)
	tests := []struct {
		name       string
		args       []string
		env        []string
		wantCode   int
		wantStderr string
	}{
		{name: "inspect help", args: []string{"inspect", "-help"}, wantStderr: "relance inspect member-123 member-456"},
		{name: "forget help", args: []string{"forget", "--help"}, wantStderr: "relance forget member-123"},
		{name: "inspect bad arguments", args: []string{"inspect", "alice"}, wantCode: 2, wantStderr: "takes A B"},
		{name: "forget bad arguments", args: []string{"forget"}, wantCode: 2, wantStderr: "takes MEMBER"},
		{name: "inspect unreachable", args: []string{"inspect", "alice", "bob"}, env: []string{"RELANCE_REDIS_ADDR=" + unreachable, "RELANCE_REDIS_PASSWORD=hunter2"},
			wantCode: 1, wantStderr: "relance: redis " + unreachable + ": "},
		{name: "forget unreachable cluster", args: []string{"forget", "alice", "-redis-addr", unreachable + "," + unreachable},
			env: []string{"RELANCE_REDIS_PASSWORD=hunter2"}, wantCode: 1, wantStderr: "relance: redis " + unreachable + "," + unreachable + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, tt.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := exitCode(t, err)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("exit %d, want %d; stderr lacks %q?\n%s", code, tt.wantCode, tt.wantStderr, stderr.String())
			}
			if strings.Contains(stderr.String(), "hunter2") {
				t.Errorf("stderr shows the password:\n%s", stderr.String())
			}
		})
	}
}

// seedTools records, through the store and with the processor's key prefix, alice
// pestering bob (the nudge at m4, then a quick bubble m5), bob reporting her, carol
// blocking her, and ali (whose id is within hers) writing to bob.
func seedTools(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	s, err := state.New(ctx, rdb, policy.Default(), state.Config{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	o := func(a policy.Action, id, from, to string, d time.Duration) policy.Observation {
		return policy.Observation{Action: a, MessageID: id, SenderID: from, RecipientID: to, SentAt: base.Add(d)}
	}
	m := policy.ActionMessage
	obs := []policy.Observation{
		o(m, "m1", "alice", "bob", 0), o(m, "m2", "alice", "bob", time.Hour), o(m, "m3", "alice", "bob", 2*time.Hour),
		o(m, "m4", "alice", "bob", 3*time.Hour), o(m, "m5", "alice", "bob", 3*time.Hour+time.Minute),
		// Member actions are observations about the actor's streak from the other member.
		o(policy.ActionReport, "r1", "alice", "bob", 4*time.Hour),
		o(m, "c1", "alice", "carol", 5*time.Hour), o(policy.ActionBlock, "k1", "alice", "carol", 6*time.Hour),
		o(m, "x1", "ali", "bob", 6*time.Hour),
	}
	if _, err := s.Apply(ctx, obs); err != nil {
		t.Fatal(err)
	}
}

func runTool(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := dispatch(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

func TestInspectAndForget(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		addr := testenv.StartRedis(t)
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rdb.Close() })
		testInspectAndForget(t, rdb, map[string]string{"RELANCE_REDIS_ADDR": addr})
	})
	t.Run("cluster", func(t *testing.T) {
		addrs := testenv.StartRedisCluster(t)
		rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
		t.Cleanup(func() { _ = rdb.Close() })
		testInspectAndForget(t, rdb, map[string]string{"RELANCE_REDIS_ADDR": strings.Join(addrs, ",")})
	})
	t.Run("sentinel", func(t *testing.T) {
		f := testenv.StartRedisSentinel(t, "relance-master")
		rdb := redis.NewClient(&redis.Options{Addr: f.Master.Addr()})
		t.Cleanup(func() { _ = rdb.Close() })
		testInspectAndForget(t, rdb, map[string]string{"RELANCE_REDIS_ADDR": f.Sentinel.Addr(), "RELANCE_REDIS_SENTINEL_MASTER": f.Sentinel.MasterName()})
	})
}

func testInspectAndForget(t *testing.T, rdb redis.UniversalClient, addrs map[string]string) {
	seedTools(t, rdb)

	text := runTool(t, addrs, "inspect", "bob", "alice")
	for _, want := range []string{
		"What relance holds about bob and alice (levels as policy relance-default-2 names them).",
		"\nalice → bob\n  5 unanswered message(s) in 4 attempt(s); streak started by m1, peak 5 message(s) in 4 attempt(s), 0 offensive\n",
		"    2026-11-23T10:00:00Z  attempt 1  m1\n",
		"    2026-11-23T13:01:00Z  attempt 4  m5\n",
		"  the last of them leaves the window at 2026-11-30T13:01:00Z",
		"  nudged: 2026-11-23T13:00:00Z, then continued\n",
		"  dismissed: no\n  blocked: no\n",
		"    2026-11-23T13:00:00Z  message m4 (4 unanswered, 4 attempts); nudge follow_up_limit to the sender; nudge check_in to the recipient\n",
		"    2026-11-23T14:00:00Z  report r1 (5 unanswered, 4 attempts); alert high (reported, unanswered_streak, continued_after_nudge)\n",
		"\nbob → alice\n  no unanswered message\n",
		"Sender record of bob: nothing held.\n",
		"Sender record of alice, relance:{",
		"  pestered    bob at 2026-11-23T13:00:00Z\n",
		"  reported_by bob at 2026-11-23T14:00:00Z\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("inspect lacks %q:\n%s", want, text)
		}
	}
	if text := runTool(t, addrs, "inspect", "alice", "carol"); !strings.Contains(text, "  blocked: 2026-11-23T16:00:00Z\n") ||
		!strings.Contains(text, "  blocked_by  carol at 2026-11-23T16:00:00Z\n") {
		t.Errorf("inspect alice carol:\n%s", text)
	}

	var got inspectJSON
	if err := json.Unmarshal([]byte(runTool(t, addrs, "inspect", "alice", "bob", "-format", "json")), &got); err != nil {
		t.Fatal(err)
	}
	ab := got.Pair.Directions[0]
	if !got.Held || got.PolicyVersion != "relance-default-2" || ab.From != "alice" || len(ab.Unanswered) != 5 ||
		ab.Unanswered[4] != (unansweredJSON{ID: "m5", SentAt: "2026-11-23T13:01:00Z", Attempt: 4}) || ab.Attempts != 4 ||
		ab.NudgedAt != "2026-11-23T13:00:00Z" || ab.Outcome != "continued" || len(ab.Fired) != 2 ||
		ab.Fired[0].Nudges[0] != (nudgeJSON{Audience: "sender", Kind: "follow_up_limit"}) || ab.Fired[1].Kind != "report" ||
		ab.Fired[1].Alerts[0].Severity != "high" || got.Pair.TTLSeconds <= 7*24*3600 {
		t.Errorf("inspect json: %+v", got)
	}
	if got.Senders[0].Member != "alice" || got.Senders[0].Record == nil || len(got.Senders[0].Record.Entries) != 3 || got.Senders[1].Record != nil {
		t.Errorf("inspect json senders: %+v", got.Senders)
	}

	if text := runTool(t, addrs, "inspect", "nobody", "else"); text != "Nothing held about nobody and else.\n" {
		t.Errorf("inspect of strangers: %q", text)
	}

	if text := runTool(t, addrs, "forget", "alice"); text != "Forgot alice: deleted 2 pair record(s) and their sender record, and removed them from 0 of the 0 other sender records.\n" {
		t.Errorf("forget: %q", text)
	}
	if text := runTool(t, addrs, "forget", "alice"); text != "Nothing held about alice: no record deleted or changed (0 other sender records read).\n" {
		t.Errorf("forget again: %q", text)
	}
	if text := runTool(t, addrs, "inspect", "alice", "bob"); text != "Nothing held about alice and bob.\n" {
		t.Errorf("inspect after forget: %q", text)
	}
	// ali, whose id is within alice's, keeps her pair.
	var ali inspectJSON
	if err := json.Unmarshal([]byte(runTool(t, addrs, "inspect", "ali", "bob", "-format", "json")), &ali); err != nil {
		t.Fatal(err)
	}
	if ali.Pair == nil || len(ali.Pair.Directions[0].Unanswered) != 1 {
		t.Errorf("ali and bob after forgetting alice: %+v", ali.Pair)
	}
	var f forgetJSON
	if err := json.Unmarshal([]byte(runTool(t, addrs, "forget", "ali", "-format", "json")), &f); err != nil {
		t.Fatal(err)
	}
	if f != (forgetJSON{Member: "ali", PairsDeleted: 1}) {
		t.Errorf("forget ali json: %+v", f)
	}
}
