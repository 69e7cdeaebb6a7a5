package state_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// senderCrossings lists each observation's sender-level crossings as
// "id: kind level members".
func senderCrossings(obs []policy.Observation, streaks []policy.Result) []string {
	var out []string
	for i, r := range streaks {
		for _, c := range r.Senders {
			out = append(out, fmt.Sprintf("%s: %s %d %v", obs[i].MessageID, policy.SenderKinds[c.Kind], c.Level, c.Members))
		}
	}
	return out
}

// repeatOffender is alice pestering bob, carol and dan in turn (four follow-ups an hour
// apart each), then blocked by erin, fay and gus, and reported by two of them.
func repeatOffender() []policy.Observation {
	var obs []policy.Observation
	h := 0
	for _, to := range []string{"bob", "carol", "dan"} {
		for i := range 4 {
			obs = append(obs, msg(fmt.Sprintf("%s-%d", to, i+1), "alice", to, time.Duration(h)*hour))
			h++
		}
	}
	for _, by := range []string{"erin", "fay", "gus"} {
		obs = append(obs, msg(by+"-1", "alice", by, time.Duration(h)*hour))
		obs = append(obs, action(policy.ActionBlock, "block-"+by, by, "alice", time.Duration(h)*hour+time.Minute))
		h++
	}
	for _, by := range []string{"erin", "fay"} {
		obs = append(obs, action(policy.ActionReport, "report-"+by, by, "alice", time.Duration(h)*hour))
		h++
	}
	return obs
}

func testRepeatOffender(t *testing.T, s store) {
	obs := repeatOffender()
	want := []string{
		"dan-4: pestered 3 [bob carol dan]",
		"block-gus: blocked_by 3 [erin fay gus]",
		"report-fay: reported_by 2 [erin fay]",
	}
	// One by one first; then all again in one batch, a redelivery: the same crossings.
	for _, pass := range []struct {
		name  string
		batch int
	}{{"one by one", 1}, {"redelivered in one batch", len(obs)}} {
		name, batch := pass.name, pass.batch
		t.Run(name, func(t *testing.T) {
			var results []policy.Result
			for chunk := range slices.Chunk(obs, batch) {
				rs, err := s.Apply(context.Background(), chunk)
				if err != nil {
					t.Fatal(err)
				}
				results = append(results, rs...)
			}
			if got := senderCrossings(obs, results); !slices.Equal(got, want) {
				t.Errorf("%s: crossings %q, want %q", name, got, want)
			}
		})
	}
}

func TestApplyRepeatOffender(t *testing.T) {
	testRepeatOffender(t, newStoreWith(t, startRedis(t), policy.Default(), state.Config{}))
}

func TestApplyRepeatOffenderOnCluster(t *testing.T) {
	testRepeatOffender(t, newStoreWith(t, startCluster(t), policy.Default(), state.Config{}))
}

func TestApplyRepeatOffenderInMemory(t *testing.T) {
	testRepeatOffender(t, inMemory(t, policy.Default(), state.Config{}))
}

// pipelineCounter counts the pipelines (round trips) a client sends.
type pipelineCounter struct{ n atomic.Int64 }

func (h *pipelineCounter) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *pipelineCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *pipelineCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if cmds[0].Name() != "client" { // a new connection's handshake, not the store's
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// TestApplySenderRecordsCostRoundTripsOnlyWithASignal: a batch without a repeat-offender
// signal makes the pair's two round trips (read, write) and nothing for sender records; a
// batch with one, two more (read and write the sender's record), the read in parallel with
// the pairs' write (TestApplyReadsSenderRecordsWhileThePairsAreWritten).
func TestApplySenderRecordsCostRoundTripsOnlyWithASignal(t *testing.T) {
	rdb := startRedis(t)
	hook := &pipelineCounter{}
	rdb.AddHook(hook)
	s := newStoreWith(t, rdb, policy.Default(), state.Config{CachePairs: -1})
	var quiet, signalled []policy.Observation
	for i := range 3 {
		quiet = append(quiet, msg(fmt.Sprintf("q%d", i), "ana", "ben", time.Duration(i)*hour))
	}
	signalled = append(signalled, msg("q3", "ana", "ben", 3*hour)) // the fourth attempt: pestered
	hook.n.Store(0)
	apply(t, s, quiet...)
	if n := hook.n.Load(); n != 2 {
		t.Errorf("a batch without a signal: %d round trips, want 2", n)
	}
	hook.n.Store(0)
	apply(t, s, signalled...)
	if n := hook.n.Load(); n != 4 {
		t.Errorf("a batch with a signal: %d round trips, want 4", n)
	}
}

// holdPairWrites holds every pipeline that writes pair records until a pipeline that reads
// a sender record has started, or until a long timeout, which it counts as a failure.
type holdPairWrites struct {
	senderRead chan struct{}
	once       sync.Once
	timedOut   atomic.Bool
}

func (h *holdPairWrites) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *holdPairWrites) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *holdPairWrites) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			name, key := c.Name(), fmt.Sprint(c.Args()[1:])
			switch {
			case (name == "mget" || name == "get") && strings.Contains(key, "}:s:"):
				h.once.Do(func() { close(h.senderRead) })
			case name == "evalsha" && strings.Contains(key, "}:p:"):
				select {
				case <-h.senderRead:
				case <-time.After(10 * time.Second):
					h.timedOut.Store(true)
				}
			}
		}
		return next(ctx, cmds)
	}
}

// TestApplyReadsSenderRecordsWhileThePairsAreWritten: a batch whose pair reaches the nudge
// reads its sender's record while the pair's write is still in flight (held here until the
// read starts), so the sender record adds one round trip to the batch's path, not two; and
// the sender-level result is what it would be without the overlap.
func TestApplyReadsSenderRecordsWhileThePairsAreWritten(t *testing.T) {
	rdb := startRedis(t)
	hook := &holdPairWrites{senderRead: make(chan struct{})}
	s := newStoreWith(t, rdb, policy.Default(), state.Config{CachePairs: -1})
	obs := repeatOffender()
	apply(t, s, obs[:len(obs)-1]...)
	rdb.AddHook(hook)
	last := obs[len(obs)-1:]
	res, err := s.Apply(context.Background(), last)
	if err != nil {
		t.Fatal(err)
	}
	if hook.timedOut.Load() {
		t.Fatal("the pair's write waited 10 s and no sender record was read meanwhile")
	}
	select {
	case <-hook.senderRead:
	default:
		t.Fatal("no sender record read: the last observation signals nothing, pick another")
	}
	if got, want := senderCrossings(last, res), []string{"report-fay: reported_by 2 [erin fay]"}; !slices.Equal(got, want) {
		t.Errorf("crossings %q, want %q", got, want)
	}
}
