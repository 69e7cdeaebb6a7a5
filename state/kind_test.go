package state

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/streak"
)

// messagesSent is a second kind of record, for this test only: how many messages each
// sender sent, one key per sender in a hash slot of its own. A value is a header (format
// byte, token) and the count.
type messagesSent struct{ prefix string }

func (k messagesSent) group(obs []policy.Observation, skip []bool, _ []policy.Result) []*work {
	bySender := map[string]*work{}
	var all []*work
	for i, o := range obs {
		if (skip != nil && skip[i]) || o.Action != policy.ActionMessage {
			continue
		}
		w := bySender[o.SenderID]
		if w == nil {
			w = &work{key: k.prefix + ":{" + o.SenderID + "}:sent", tag: o.SenderID, subject: o.SenderID}
			bySender[o.SenderID] = w
			all = append(all, w)
		}
		w.obs = append(w.obs, i)
	}
	return all
}

func (messagesSent) apply(s *scratch, w *work, read string, exists bool, _ []policy.Observation, _ []policy.Result) ([]byte, error) {
	var n uint64
	if exists {
		var k int
		if len(read) < streak.HeaderLen {
			return nil, streak.ErrUnreadable
		}
		if n, k = binary.Uvarint([]byte(read[streak.HeaderLen:])); k <= 0 {
			return nil, streak.ErrUnreadable
		}
	}
	v := binary.BigEndian.AppendUint64(append(s.buf[:0], 1), rand.Uint64())
	return binary.AppendUvarint(v, n+uint64(len(w.obs))), nil
}

// sentCount reads a sender's messagesSent record.
func sentCount(t *testing.T, rdb redis.UniversalClient, prefix, sender string) uint64 {
	t.Helper()
	v, err := rdb.Get(context.Background(), prefix+":{"+sender+"}:sent").Result()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := binary.Uvarint([]byte(v[streak.HeaderLen:]))
	return n
}

// The store's loop serves any kind of record: a second kind with keys (and, on a Cluster,
// hash slots) of its own is kept beside the pairs by the same read, apply, compare-and-set
// loop, the pairs' results unchanged.
func TestApplyKeepsASecondKindOfRecord(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		rdb  func(t *testing.T) redis.UniversalClient
	}{
		{"redis-server", func(t *testing.T) redis.UniversalClient {
			return redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
		}},
		{"cluster", func(t *testing.T) redis.UniversalClient {
			return redis.NewClusterClient(&redis.ClusterOptions{Addrs: testenv.StartRedisCluster(t)})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rdb := c.rdb(t)
			t.Cleanup(func() { _ = rdb.Close() })
			s, err := New(ctx, rdb, policy.Default(), Config{KeyPrefix: "kinds"})
			if err != nil {
				t.Fatal(err)
			}
			s.kinds = append(s.kinds, messagesSent{prefix: "kinds"})
			s.guesses = make([]absentGuess, len(s.kinds)) // one per kind, as New makes them
			at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			m := func(id, from, to string, h int) policy.Observation {
				return policy.Observation{Action: policy.ActionMessage, MessageID: id, SenderID: from, RecipientID: to,
					SentAt: at.Add(time.Duration(h) * time.Hour)}
			}
			for batch, obs := range [][]policy.Observation{
				{m("a1", "alice", "bob", 0), m("a2", "alice", "carol", 1), m("b1", "bob", "alice", 2)},
				{m("a3", "alice", "bob", 3), {Action: policy.ActionReply, SenderID: "carol", RecipientID: "alice", SentAt: at.Add(4 * time.Hour)}},
			} {
				res, err := s.Apply(ctx, obs)
				if err != nil {
					t.Fatalf("batch %d: %v", batch, err)
				}
				if batch == 1 && res[0].Streak.Count != 1 {
					t.Errorf("a3 after bob's answer: count %d, want 1", res[0].Streak.Count)
				}
			}
			for sender, want := range map[string]uint64{"alice": 3, "bob": 1} {
				if got := sentCount(t, rdb, "kinds", sender); got != want {
					t.Errorf("%s sent %d, want %d", sender, got, want)
				}
			}
			if _, err := rdb.Get(ctx, "kinds:{carol}:sent").Result(); !errors.Is(err, redis.Nil) {
				t.Errorf("carol only replied, yet has a record: %v", err)
			}
		})
	}
}
