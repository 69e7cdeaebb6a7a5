package state

import (
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/policy"
)

//go:embed write.lua
var writeSource string

// Redis is the store on Redis, Redis Cluster or a Sentinel-managed Redis. It is safe for
// concurrent use, and several processes may share one Redis: a record is only written back
// if nobody wrote it since it was read, else it is read again and its observations redone.
type Redis struct {
	core
	client redis.UniversalClient
	script *redis.Script
	ttl    string // ms
	cache  *cache
	// guesses says, per kind of record (core.kinds), whether to read those the cache
	// misses.
	guesses []absentGuess
	// oneServer is true for a single Redis server: a pipelined MGET or script call may
	// then hold any keys. On a Cluster (or Ring) a call holds the keys of one hash tag.
	oneServer bool
}

// New validates cfg and loads the store's script on client (on every master of a
// Cluster, every shard of a Ring). The store decides with pol's numbers (its window and
// levels). The caller owns client and closes it after use.
func New(ctx context.Context, client redis.UniversalClient, pol *policy.Policy, cfg Config, opts ...Option) (*Redis, error) {
	if client == nil {
		return nil, errors.New("state: nil Redis client")
	}
	c, cfg, err := newCore(pol, cfg, opts)
	if err != nil {
		return nil, err
	}
	r := &Redis{
		core:   c,
		client: client,
		script: redis.NewScript(writeSource),
		ttl:    strconv.FormatInt((pol.Window() + cfg.TTLMargin).Milliseconds(), 10),
		cache:  newCache(cfg.CachePairs),
	}
	r.guesses = make([]absentGuess, len(r.kinds))
	_, r.oneServer = client.(*redis.Client)
	if err := r.load(ctx); err != nil {
		return nil, fmt.Errorf("state: load script: %w", err)
	}
	return r, nil
}

// load runs SCRIPT LOAD on every server that may own a key.
func (r *Redis) load(ctx context.Context) error {
	load := func(ctx context.Context, c *redis.Client) error {
		if err := checkVersion(ctx, c); err != nil {
			return err
		}
		sha, err := c.ScriptLoad(ctx, writeSource).Result()
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
		return r.client.ScriptLoad(ctx, writeSource).Err()
	}
}

// minVersion is the oldest Redis the store runs on: write.lua's SET with NX or XX and GET
// together came with 7.0.
var minVersion = [2]int{7, 0}

// checkVersion refuses a server older than minVersion, named with its version. A server
// that does not say (INFO refused by an ACL, or no redis_version) is taken as it is.
func checkVersion(ctx context.Context, c *redis.Client) error {
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return nil
	}
	if v, old := tooOld(info); old {
		return fmt.Errorf("redis %s at %s: relance needs Redis %d.%d or later", v, c.Options().Addr, minVersion[0], minVersion[1])
	}
	return nil
}

// tooOld reports the redis_version of an INFO server reply, and whether it is older than
// minVersion (false when it cannot tell).
func tooOld(info string) (version string, old bool) {
	for line := range strings.Lines(info) {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:")
		if !ok {
			continue
		}
		var major, minor int
		if _, err := fmt.Sscanf(v, "%d.%d", &major, &minor); err != nil {
			return v, false
		}
		return v, major < minVersion[0] || major == minVersion[0] && minor < minVersion[1]
	}
	return "", false
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

// pairTag is the hash tag of the unordered pair {a, b}: 16 hex digits of the 64-bit
// FNV-1a hash of both ids in byte order, each preceded by its length. It only spreads
// pairs over Cluster slots (the key names the pair itself), so a collision just puts two
// pairs in one slot, and a cheap hash will do.
// senderTag is the hash tag of a sender's record: no pair's (a pair has two members, none
// of them empty).
func senderTag(sender string) string { return pairTag("", sender) }

func pairTag(a, b string) string {
	var hex [tagLen]byte
	return string(appendPairTag(hex[:0], a, b))
}

// tagLen is the length of a hash tag: 16 hex digits.
const tagLen = 16

// appendPairTag appends pairTag(a, b) to dst.
func appendPairTag(dst []byte, a, b string) []byte {
	if b < a {
		a, b = b, a
	}
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, s := range [2]string{a, b} {
		for n := len(s); ; n >>= 8 {
			h = (h ^ uint64(n&0xff)) * prime
			if n < 256 {
				break
			}
		}
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
	}
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], h)
	return hex.AppendEncode(dst, sum[:])
}
