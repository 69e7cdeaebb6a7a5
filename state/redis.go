package state

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/relance/relance/policy"
)

//go:embed apply.lua
var applySource string

// Redis is the streak store on Redis or Redis Cluster. It is safe for concurrent use, and
// several processes may share one Redis: every observation is applied atomically.
type Redis struct {
	client redis.UniversalClient
	cfg    Config
	script *redis.Script
	log    *zap.Logger
	// Script arguments that are the same for every observation.
	window, ttl, nudgeAt, rememberUpTo, maxUnanswered, maxEvidence string
}

// An Option configures an optional collaborator of the store.
type Option interface {
	apply(*Redis)
}

type optionFunc func(*Redis)

func (f optionFunc) apply(r *Redis) { f(r) }

// WithLogger makes the store log what it recovers from (a reloaded script). Default: none.
func WithLogger(log *zap.Logger) Option {
	return optionFunc(func(r *Redis) {
		if log != nil {
			r.log = log.Named("state")
		}
	})
}

// New validates cfg and loads the store's script on client (on every master of a
// Cluster, every shard of a Ring). The caller owns client and closes it after use.
func New(ctx context.Context, client redis.UniversalClient, cfg Config, opts ...Option) (*Redis, error) {
	if client == nil {
		return nil, errors.New("state: nil Redis client")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Redis{
		client:        client,
		cfg:           cfg,
		script:        redis.NewScript(applySource),
		log:           zap.NewNop(),
		window:        strconv.FormatInt(cfg.Window.Milliseconds(), 10),
		ttl:           strconv.FormatInt(cfg.ttl().Milliseconds(), 10),
		nudgeAt:       strconv.Itoa(cfg.NudgeAt),
		rememberUpTo:  strconv.Itoa(cfg.RememberUpTo),
		maxUnanswered: strconv.Itoa(cfg.MaxUnanswered),
		maxEvidence:   strconv.Itoa(cfg.MaxEvidence),
	}
	for _, o := range opts {
		o.apply(r)
	}
	if err := r.load(ctx); err != nil {
		return nil, fmt.Errorf("state: load script: %w", err)
	}
	return r, nil
}

// load runs SCRIPT LOAD on every server that may own a key.
func (r *Redis) load(ctx context.Context) error {
	load := func(ctx context.Context, c *redis.Client) error {
		sha, err := c.ScriptLoad(ctx, applySource).Result()
		if err != nil {
			return err
		}
		if sha != r.script.Hash() {
			return fmt.Errorf("server %s digests the script as %s, want %s", c.Options().Addr, sha, r.script.Hash())
		}
		return nil
	}
	switch c := r.client.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, load)
	case *redis.Ring:
		return c.ForEachShard(ctx, load)
	case *redis.Client:
		return load(ctx, c)
	default:
		return r.client.ScriptLoad(ctx, applySource).Err()
	}
}

// Ping reports whether Redis answers (every master of a Cluster).
func (r *Redis) Ping(ctx context.Context) error {
	ping := func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() }
	var err error
	switch c := r.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, ping)
	case *redis.Ring:
		err = c.ForEachShard(ctx, ping)
	default:
		err = r.client.Ping(ctx).Err()
	}
	if err != nil {
		return fmt.Errorf("state: ping: %w", err)
	}
	return nil
}

// Apply records obs in one pipelined round trip (one per Cluster node), atomically per
// observation and in order per hash slot, and returns one Streak per observation.
//
// A server that lost the script (restart, SCRIPT FLUSH) answers NOSCRIPT without running
// anything: the script is loaded again and just those observations are sent again, once.
// Any other error fails the whole call; the observations that did run are recognised as
// redeliveries when the caller retries.
func (r *Redis) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Streak, error) {
	if len(obs) == 0 {
		return nil, nil
	}
	for i, o := range obs {
		if err := checkObservation(o); err != nil {
			return nil, fmt.Errorf("state: apply: observation %d: %w", i, err)
		}
	}
	cmds := make([]*redis.Cmd, len(obs))
	all := make([]int, len(obs))
	for i := range all {
		all[i] = i
	}
	missing, err := r.exec(ctx, obs, cmds, all)
	if err != nil {
		return nil, fmt.Errorf("state: apply: %w", err)
	}
	if len(missing) > 0 {
		r.log.Info("script missing on the server, loading it again", zap.Int("observations", len(missing)))
		if err := r.load(ctx); err != nil {
			return nil, fmt.Errorf("state: apply: reload script: %w", err)
		}
		missing, err = r.exec(ctx, obs, cmds, missing)
		if err != nil {
			return nil, fmt.Errorf("state: apply: %w", err)
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("state: apply: %w", cmds[missing[0]].Err())
		}
	}
	streaks := make([]policy.Streak, len(obs))
	for i, c := range cmds {
		s, err := parseStreak(c.Val())
		if err != nil {
			return nil, fmt.Errorf("state: apply: observation %d: %w", i, err)
		}
		streaks[i] = s
	}
	return streaks, nil
}

// exec pipelines the script for obs[idx...] into cmds and returns the indices that failed
// with NOSCRIPT. Any other failure is returned as the error.
func (r *Redis) exec(ctx context.Context, obs []policy.Observation, cmds []*redis.Cmd, idx []int) ([]int, error) {
	pipe := r.client.Pipeline()
	for _, i := range idx {
		keys, args := r.scriptArgs(obs[i])
		cmds[i] = r.script.EvalSha(ctx, pipe, keys, args...)
	}
	_, execErr := pipe.Exec(ctx)
	var missing []int
	for _, i := range idx {
		err := cmds[i].Err()
		switch {
		case err == nil:
		case redis.HasErrorPrefix(err, "NOSCRIPT"):
			missing = append(missing, i)
		default:
			return nil, err
		}
	}
	if execErr != nil && len(missing) == 0 {
		return nil, execErr
	}
	return missing, nil
}

func (r *Redis) scriptArgs(o policy.Observation) (keys []string, args []any) {
	fwd := r.pairKeys(o.SenderID, o.RecipientID)
	back := r.pairKeys(o.RecipientID, o.SenderID)
	keys = []string{fwd.unanswered, fwd.state, fwd.seen, fwd.views, back.unanswered, back.state}
	offensive := "0"
	if o.Offensive {
		offensive = "1"
	}
	args = []any{
		strconv.Itoa(int(o.Action)), o.MessageID, strconv.FormatInt(o.SentAt.UnixMilli(), 10), offensive,
		r.window, r.ttl, r.nudgeAt, r.rememberUpTo, r.maxUnanswered, r.maxEvidence,
	}
	return keys, args
}

func checkObservation(o policy.Observation) error {
	switch {
	case o.Action != policy.ActionMessage && o.Action != policy.ActionReply:
		return fmt.Errorf("%w: unknown action %d", ErrInvalidObservation, o.Action)
	case o.SenderID == "" || o.RecipientID == "":
		return fmt.Errorf("%w: empty sender or recipient id", ErrInvalidObservation)
	case o.SenderID == o.RecipientID:
		return fmt.Errorf("%w: sender and recipient are both %q", ErrInvalidObservation, o.SenderID)
	case o.Action == policy.ActionMessage && o.MessageID == "":
		return fmt.Errorf("%w: empty message id", ErrInvalidObservation)
	case o.SentAt.UnixMilli() <= 0:
		return fmt.Errorf("%w: sent at %s: must be after 1970", ErrInvalidObservation, o.SentAt)
	}
	return nil
}

// pairKeys names the keys of the directed pair from→to.
type pairKeys struct {
	unanswered, state, seen, views string
}

// pairKeys returns "<prefix>:{<tag>}:<kind>:<len(from)>:<from><to>" for each kind. The tag
// hashes the unordered pair, so from→to and to→from share a hash slot; the length prefix
// makes the directed pair unambiguous whatever bytes the ids hold.
func (r *Redis) pairKeys(from, to string) pairKeys {
	base := r.cfg.KeyPrefix + ":{" + pairTag(from, to) + "}:"
	pair := ":" + strconv.Itoa(len(from)) + ":" + from + to
	return pairKeys{
		unanswered: base + "u" + pair,
		state:      base + "s" + pair,
		seen:       base + "d" + pair,
		views:      base + "v" + pair,
	}
}

// pairTag is the hash tag of the unordered pair {a, b}: 16 hex digits of a SHA-256 of both
// ids in byte order. A collision only puts two pairs in the same slot.
func pairTag(a, b string) string {
	if b < a {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte(strconv.Itoa(len(a)) + ":" + a + b))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// parseStreak decodes the script's reply (see apply.lua).
func parseStreak(v any) (policy.Streak, error) {
	a, ok := v.([]any)
	if !ok || len(a) < 11 {
		return policy.Streak{}, fmt.Errorf("unexpected script reply %T of %d items", v, len(a))
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
	return policy.Streak{
		Status:            policy.Status(n[0]),
		Count:             int(n[1]),
		PrevPeak:          int(n[2]),
		Peak:              int(n[3]),
		PrevOffensive:     int(n[4]),
		Offensive:         int(n[5]),
		StartID:           start,
		FirstUnansweredAt: msTime(n[7]),
		LastMessageAt:     msTime(n[8]),
		AnsweredAt:        msTime(n[9]),
		NudgedAt:          msTime(n[10]),
		MessageIDs:        ids,
	}, nil
}

// msTime turns a script time into a UTC time; 0 means none.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
