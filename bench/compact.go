package bench

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

//go:embed compact.lua
var compactSource string

// Compact is a prototype streak store with the contract of state.Redis (same Streaks for
// the same observations, one pipelined round trip per batch) whose script keeps each
// directed pair's whole state in one MessagePack string: 4 Redis commands per observation
// (GET fwd, GET back, SET back PX, SET fwd PX) instead of about 20. See compact.lua.
//
// Differences from state.Redis: a pair's state expires as one value, window plus margin
// after the last write to it (state.Redis expires each of its six keys on its own); and
// NOSCRIPT is not handled (the prototype loads its script once).
type Compact struct {
	client redis.UniversalClient
	script *redis.Script
	prefix string
	argv   [6]string // window, ttl, nudge_at, remember_up_to, max_unanswered, max_evidence
}

// NewCompact loads the script on client. cfg is read as state.New reads it.
func NewCompact(ctx context.Context, client redis.UniversalClient, cfg state.Config) (*Compact, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	def := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	window := cfg.Window
	if window == 0 {
		window = 7 * 24 * time.Hour
	}
	margin := cfg.TTLMargin
	if margin == 0 {
		margin = 24 * time.Hour
	}
	prefix := cfg.KeyPrefix
	if prefix == "" {
		prefix = "relance"
	}
	c := &Compact{client: client, script: redis.NewScript(compactSource), prefix: prefix}
	c.argv = [6]string{
		strconv.FormatInt(window.Milliseconds(), 10),
		strconv.FormatInt((window + margin).Milliseconds(), 10),
		strconv.Itoa(def(cfg.NudgeAt, 4)),
		strconv.Itoa(def(cfg.RememberUpTo, 12)),
		strconv.Itoa(def(cfg.MaxUnanswered, 1000)),
		strconv.Itoa(def(cfg.MaxEvidence, 50)),
	}
	if err := c.script.Load(ctx, client).Err(); err != nil {
		return nil, fmt.Errorf("compact: load script: %w", err)
	}
	return c, nil
}

// Apply records obs in one pipelined round trip and returns one Streak per observation.
func (c *Compact) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Streak, error) {
	if len(obs) == 0 {
		return nil, nil
	}
	pipe := c.client.Pipeline()
	cmds := make([]*redis.Cmd, len(obs))
	for i, o := range obs {
		offensive := "0"
		if o.Offensive {
			offensive = "1"
		}
		keys := []string{c.key(o.SenderID, o.RecipientID), c.key(o.RecipientID, o.SenderID)}
		cmds[i] = c.script.EvalSha(ctx, pipe, keys,
			strconv.Itoa(int(o.Action)), o.MessageID, strconv.FormatInt(o.SentAt.UnixMilli(), 10), offensive,
			c.argv[0], c.argv[1], c.argv[2], c.argv[3], c.argv[4], c.argv[5])
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("compact: apply: %w", err)
	}
	out := make([]policy.Streak, len(obs))
	for i, cmd := range cmds {
		s, err := parseStreak(cmd.Val())
		if err != nil {
			return nil, fmt.Errorf("compact: apply: observation %d: %w", i, err)
		}
		out[i] = s
	}
	return out, nil
}

// key is "<prefix>:{<tag of the unordered pair>}:p:<len(from)>:<from><to>".
func (c *Compact) key(from, to string) string {
	a, b := from, to
	if b < a {
		a, b = b, a
	}
	h := sha256.Sum256([]byte(strconv.Itoa(len(a)) + ":" + a + b))
	return c.prefix + ":{" + hex.EncodeToString(h[:8]) + "}:p:" + strconv.Itoa(len(from)) + ":" + from + to
}

// parseStreak decodes the script's reply, laid out as state/apply.lua's.
func parseStreak(v any) (policy.Streak, error) {
	a, ok := v.([]any)
	if !ok || len(a) < 11 {
		return policy.Streak{}, fmt.Errorf("unexpected script reply %T", v)
	}
	var n [11]int64
	for i, x := range a[:11] {
		if i == 6 {
			continue
		}
		if n[i], ok = x.(int64); !ok {
			return policy.Streak{}, fmt.Errorf("script reply item %d is %T, want an integer", i, x)
		}
	}
	start, ok := a[6].(string)
	if !ok {
		return policy.Streak{}, fmt.Errorf("script reply item 6 is %T, want a string", a[6])
	}
	var ids []string
	if len(a) > 11 {
		ids = make([]string, len(a)-11)
		for i, x := range a[11:] {
			if ids[i], ok = x.(string); !ok {
				return policy.Streak{}, fmt.Errorf("script reply item %d is %T, want a string", 11+i, x)
			}
		}
	}
	ms := func(v int64) time.Time {
		if v == 0 {
			return time.Time{}
		}
		return time.UnixMilli(v).UTC()
	}
	return policy.Streak{
		Status: policy.Status(n[0]), Count: int(n[1]), PrevPeak: int(n[2]), Peak: int(n[3]),
		PrevOffensive: int(n[4]), Offensive: int(n[5]), StartID: start,
		FirstUnansweredAt: ms(n[7]), LastMessageAt: ms(n[8]), AnsweredAt: ms(n[9]), NudgedAt: ms(n[10]),
		MessageIDs: ids,
	}, nil
}

// RandomObservations is a workload for cross-checking stores: the bench workload on few
// members (many shared pairs), with one event in ten moved up to 9 days back or 1 day
// ahead in event time (late, stale and out-of-order messages) and one in twenty a
// redelivery of an earlier observation.
func RandomObservations(seed uint64, n int) []policy.Observation {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	w := NewWorkload(WorkloadConfig{Seed: seed, Members: 60, Active: 40, Start: start, Step: 20 * time.Minute,
		OffensiveShare: 0.05})
	rng := newRand(seed)
	out := make([]policy.Observation, 0, n)
	for len(out) < n {
		if len(out) > 0 && rng.IntN(20) == 0 {
			out = append(out, out[rng.IntN(len(out))])
			continue
		}
		o := w.Next().Observation
		if rng.IntN(10) == 0 {
			o.SentAt = o.SentAt.Add(time.Duration(rng.Int64N(int64(10*24*time.Hour))) - 9*24*time.Hour).Truncate(time.Millisecond)
		}
		if rng.IntN(50) == 0 && len(out) > 0 { // the same time as an earlier event: sorted-set ties
			o.SentAt = out[rng.IntN(len(out))].SentAt
		}
		out = append(out, o)
	}
	return out
}
