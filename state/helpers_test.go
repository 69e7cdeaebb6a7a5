package state_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"gopkg.in/yaml.v3"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// base is an event time of late 2026: about 1.8e12 ms, 13 digits.
var base = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// at is the event time d after base.
func at(d time.Duration) time.Time { return base.Add(d) }

func msg(id, from, to string, d time.Duration) policy.Observation {
	return policy.Observation{Action: policy.ActionMessage, MessageID: id, SenderID: from, RecipientID: to, SentAt: at(d)}
}

func offensive(id, from, to string, d time.Duration) policy.Observation {
	o := msg(id, from, to, d)
	o.Categories = []policy.Category{policy.CategoryInsult}
	return o
}

func reply(from, to string, d time.Duration) policy.Observation {
	return policy.Observation{Action: policy.ActionReply, MessageID: "reply-" + from, SenderID: from, RecipientID: to, SentAt: at(d)}
}

// action is member actor's action a about member about (an Observation from about to
// actor: the streak acted on is about's).
func action(a policy.Action, id, actor, about string, d time.Duration) policy.Observation {
	return policy.Observation{Action: a, MessageID: id, SenderID: about, RecipientID: actor, SentAt: at(d)}
}

func ids(s ...string) []string { return s }

var (
	answer    = policy.Streak{Status: policy.StatusAnswer}
	stale     = policy.Streak{Status: policy.StatusStale}
	prefixSeq atomic.Int64
)

// late is the Streak of a message sent before the answer at d.
func late(d time.Duration) policy.Streak {
	return policy.Streak{Status: policy.StatusLate, AnsweredAt: at(d)}
}

func duplicate(count int) policy.Streak {
	return policy.Streak{Status: policy.StatusDuplicate, Count: count, Redelivered: true}
}

// replayed is s as a redelivery returns it, the message decided with categories.
func replayed(s policy.Streak, categories ...policy.Category) policy.Streak {
	if s.Status == policy.StatusCounted {
		s.Status = policy.StatusReplayed
	}
	s.Redelivered, s.Categories = true, categories
	s.NudgeOutcome = "" // fixed once, by the first pass
	return s
}

// levels is the default policy with its nudge at nudgeAt attempts and a low alert at each
// of alerts: the counts at which a store keeps a message's view for redelivery.
func levels(t testing.TB, nudgeAt int, alerts ...int) *policy.Policy {
	t.Helper()
	doc := fmt.Sprintf("version: test-levels\nfollow_up:\n  nudge_at: %d\n  nudge_at_messages: 0\n  alerts:\n", nudgeAt)
	for _, a := range alerts {
		doc += fmt.Sprintf("    - {at: %d, severity: low}\n", a)
	}
	if len(alerts) == 0 {
		doc += "    []\n"
	}
	pol, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// everyCount remembers every count up to 12: the scenarios check what each step replays.
func everyCount(t testing.TB) *policy.Policy {
	return levels(t, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
}

// uniquePrefix gives each test its own keys on a shared server.
func uniquePrefix(t testing.TB) string {
	name := strings.NewReplacer("{", "(", "}", ")", " ", "_").Replace(t.Name())
	return fmt.Sprintf("test%d:%s", prefixSeq.Add(1), name)
}

// startRedis starts a real redis-server for the test and returns a client of it.
func startRedis(t testing.TB) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// startMiniredis starts an in-process miniredis and returns a client of it.
func startMiniredis(t testing.TB) *redis.Client {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// startCluster starts a real three-master Redis Cluster and returns a client of it.
func startCluster(t testing.TB) *redis.ClusterClient {
	t.Helper()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: testenv.StartRedisCluster(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// store is what the tests call on a Redis or an in-memory store.
type store interface {
	Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error)
}

// opener makes a store deciding with pol, with cfg and keys of the test's own.
type opener func(t testing.TB, pol *policy.Policy, cfg state.Config) store

func onRedis(rdb redis.UniversalClient) opener {
	return func(t testing.TB, pol *policy.Policy, cfg state.Config) store {
		return newStoreWith(t, rdb, pol, cfg)
	}
}

func inMemory(t testing.TB, pol *policy.Policy, cfg state.Config) store {
	t.Helper()
	s, err := state.NewMemory(pol, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newStore is a store on rdb with the default policy, cfg and keys of the test's own.
func newStore(t testing.TB, rdb redis.UniversalClient, cfg state.Config) *state.Redis {
	t.Helper()
	return newStoreWith(t, rdb, policy.Default(), cfg)
}

func newStoreWith(t testing.TB, rdb redis.UniversalClient, pol *policy.Policy, cfg state.Config) *state.Redis {
	t.Helper()
	cfg.KeyPrefix = uniquePrefix(t)
	s, err := state.New(context.Background(), rdb, pol, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// apply records obs, all valid, and returns their streaks.
func apply(t testing.TB, s store, obs ...policy.Observation) []policy.Streak {
	t.Helper()
	results, err := s.Apply(context.Background(), obs)
	if err != nil {
		t.Fatal(err)
	}
	streaks := make([]policy.Streak, len(results))
	for i, r := range results {
		if r.Invalid != nil {
			t.Fatalf("observation %d: %v", i, r.Invalid)
		}
		streaks[i] = r.Streak
	}
	return streaks
}

// step is one observation and the Streak it must yield.
type step struct {
	obs  policy.Observation
	want policy.Streak
}

type scenario struct {
	name string
	// policy gives the store its numbers; nil is everyCount.
	policy func(testing.TB) *policy.Policy
	cfg    state.Config
	steps  []step
	// attempts: the wanted Streaks say their attempts. Otherwise every message is an
	// attempt (they are at least the burst apart): the attempts are the counts, and the
	// scenario also runs with burst 0, which must decide the same.
	attempts bool
}

// runScenarios applies each scenario's steps one Apply at a time on a store of open, each
// scenario on its own keys, and compares every Streak.
func runScenarios(t *testing.T, open opener, scenarios []scenario) {
	for _, sc := range scenarios {
		pol := everyCount
		if sc.policy != nil {
			pol = sc.policy
		}
		run := func(t *testing.T, pol *policy.Policy) {
			s := open(t, pol, sc.cfg)
			for i, st := range sc.steps {
				want := st.want
				if !sc.attempts {
					want.Attempts, want.PrevPeakAttempts, want.PeakAttempts = want.Count, want.PrevPeak, want.Peak
				}
				got := apply(t, s, st.obs)
				if diff := streakDiff(want, got[0]); diff != "" {
					t.Fatalf("step %d (%s %s→%s): Streak mismatch:\n%s",
						i+1, st.obs.MessageID, st.obs.SenderID, st.obs.RecipientID, diff)
				}
			}
		}
		t.Run(sc.name, func(t *testing.T) {
			run(t, pol(t))
			if !sc.attempts {
				t.Run("burst 0", func(t *testing.T) { run(t, burstZero(t, pol(t))) })
			}
		})
	}
}

// burstZero is pol with every message an attempt.
func burstZero(t testing.TB, pol *policy.Policy) *policy.Policy {
	t.Helper()
	file, err := pol.YAML()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(file, &doc); err != nil {
		t.Fatal(err)
	}
	doc["version"] = "burst-zero"
	doc["follow_up"].(map[string]any)["burst"] = "0s"
	if file, err = yaml.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	zero, err := policy.Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	if zero.Burst() != 0 {
		t.Fatalf("burst %s", zero.Burst())
	}
	return zero
}

// workload is a reproducible mix of messages, replies, member actions, offensive messages,
// out-of-order and stale arrivals and redeliveries among users, over about two months of
// event time.
func workload(seed uint64, users, n int) []policy.Observation {
	rng := rand.New(rand.NewPCG(seed, seed))
	obs := make([]policy.Observation, 0, n)
	clock := time.Duration(0)
	for i := range n {
		if len(obs) > 0 && rng.IntN(8) == 0 {
			obs = append(obs, obs[max(0, len(obs)-1-rng.IntN(30))]) // redelivery of a recent one
			continue
		}
		clock += time.Duration(rng.IntN(int(6 * hour)))
		sent := clock - time.Duration(rng.IntN(int(2*hour))) // out of order
		if rng.IntN(20) == 0 {
			sent -= 10 * day // stale, or late
		}
		from := rng.IntN(users)
		to := (from + 1 + rng.IntN(users-1)) % users
		if from > to && rng.IntN(4) != 0 {
			from, to = to, from // most talk goes one way: fewer answers, longer streaks
		}
		o := policy.Observation{
			Action:      policy.ActionMessage,
			MessageID:   fmt.Sprintf("m-%d", i),
			SenderID:    fmt.Sprintf("u-%d", from),
			RecipientID: fmt.Sprintf("u-%d", to),
			SentAt:      at(sent),
		}
		if rng.IntN(10) == 0 {
			o.Categories = []policy.Category{policy.CategoryThreat}
		}
		if rng.IntN(8) == 0 {
			o.Action = policy.ActionReply
			o.Categories = nil
		}
		if rng.IntN(15) == 0 { // the recipient's dismiss, block, unblock or report
			o.Action, o.Categories = policy.Actions[2+rng.IntN(4)], nil
			o.MessageID = fmt.Sprintf("a-%d", i)
		}
		obs = append(obs, o)
	}
	return obs
}

// streakDiff lists the fields where got differs from want, or returns "".
func streakDiff(want, got policy.Streak) string {
	var b strings.Builder
	w, g := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range w.NumField() {
		if !reflect.DeepEqual(w.Field(i).Interface(), g.Field(i).Interface()) {
			fmt.Fprintf(&b, "  %s: want %v, got %v\n", w.Type().Field(i).Name, w.Field(i), g.Field(i))
		}
	}
	return b.String()
}

// streaksDiff compares two runs observation by observation.
func streaksDiff(obs []policy.Observation, want, got []policy.Streak) string {
	if len(want) != len(got) {
		return fmt.Sprintf("  %d streaks, want %d\n", len(got), len(want))
	}
	var b strings.Builder
	for i := range want {
		if d := streakDiff(want[i], got[i]); d != "" {
			fmt.Fprintf(&b, " observation %d (%+v):\n%s", i, obs[i], d)
		}
	}
	return b.String()
}
