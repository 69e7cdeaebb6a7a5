package scriptstore

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

//go:embed apply.lua
var source string

// Store runs apply.lua, one call per observation, on keys of its own.
type Store struct {
	client redis.UniversalClient
	script *redis.Script
	prefix string
	args   []any // window, ttl, nudge_at, remember_up_to, max_unanswered, max_evidence (ms, counts)
}

// New loads the script on client; cfg is read as state.New reads it (zero: defaults).
func New(ctx context.Context, client redis.UniversalClient, cfg state.Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	or := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	window, margin := cfg.Window, cfg.TTLMargin
	if window == 0 {
		window = 7 * 24 * time.Hour
	}
	if margin == 0 {
		margin = 24 * time.Hour
	}
	prefix := cfg.KeyPrefix
	if prefix == "" {
		prefix = "relance"
	}
	s := &Store{client: client, script: redis.NewScript(source), prefix: prefix,
		args: []any{window.Milliseconds(), (window + margin).Milliseconds(), or(cfg.NudgeAt, 4),
			or(cfg.RememberUpTo, 12), or(cfg.MaxUnanswered, 1000), or(cfg.MaxEvidence, 50)}}
	if err := s.script.Load(ctx, client).Err(); err != nil {
		return nil, fmt.Errorf("scriptstore: load script: %w", err)
	}
	return s, nil
}

// Apply runs the script once per observation, pipelined, and returns their Streaks.
// (Unlike state.Redis it does not reload a flushed script.)
func (s *Store) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Streak, error) {
	pipe := s.client.Pipeline()
	cmds := make([]*redis.Cmd, len(obs))
	for i, o := range obs {
		fwd, back := s.keys(o.SenderID, o.RecipientID), s.keys(o.RecipientID, o.SenderID)
		offensive := 0
		if o.Offensive {
			offensive = 1
		}
		args := append([]any{int(o.Action), o.MessageID, o.SentAt.UnixMilli(), offensive}, s.args...)
		cmds[i] = s.script.EvalSha(ctx, pipe, append(fwd, back[0], back[1]), args...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("scriptstore: %w", err)
	}
	streaks := make([]policy.Streak, len(obs))
	for i, c := range cmds {
		v, err := c.Slice()
		if err != nil {
			return nil, fmt.Errorf("scriptstore: %w", err)
		}
		if streaks[i], err = parse(v); err != nil {
			return nil, fmt.Errorf("scriptstore: observation %d: %w", i, err)
		}
	}
	return streaks, nil
}

// keys names the directed pair from→to's unanswered, state, seen and views keys.
func (s *Store) keys(from, to string) []string {
	a, b := from, to
	if b < a {
		a, b = b, a
	}
	h := sha256.Sum256([]byte(strconv.Itoa(len(a)) + ":" + a + b))
	base := s.prefix + ":{" + hex.EncodeToString(h[:8]) + "}:"
	pair := ":" + strconv.Itoa(len(from)) + ":" + from + to
	return []string{base + "u" + pair, base + "s" + pair, base + "d" + pair, base + "v" + pair}
}

// parse decodes the script's reply (see apply.lua).
func parse(v []any) (policy.Streak, error) {
	if len(v) < 11 {
		return policy.Streak{}, fmt.Errorf("reply of %d items", len(v))
	}
	var n [11]int64
	for i, x := range v[:11] {
		if i == 6 {
			continue
		}
		var ok bool
		if n[i], ok = x.(int64); !ok {
			return policy.Streak{}, fmt.Errorf("reply item %d is %T, want an integer", i, x)
		}
	}
	start, ok := v[6].(string)
	if !ok {
		return policy.Streak{}, fmt.Errorf("reply item 6 is %T, want a string", v[6])
	}
	ms := func(x int64) time.Time {
		if x == 0 {
			return time.Time{}
		}
		return time.UnixMilli(x).UTC()
	}
	st := policy.Streak{
		Status: policy.Status(n[0]), Count: int(n[1]), PrevPeak: int(n[2]), Peak: int(n[3]),
		PrevOffensive: int(n[4]), Offensive: int(n[5]), StartID: start,
		FirstUnansweredAt: ms(n[7]), LastMessageAt: ms(n[8]), AnsweredAt: ms(n[9]), NudgedAt: ms(n[10]),
	}
	for i, x := range v[11:] {
		id, ok := x.(string)
		if !ok {
			return policy.Streak{}, fmt.Errorf("reply item %d is %T, want a string", 11+i, x)
		}
		st.MessageIDs = append(st.MessageIDs, id)
	}
	return st, nil
}
