package state

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/backoff"
	"github.com/relance/relance/offender"
)

//go:embed forget.lua
var forgetSource string

// forgetScript is the compare-and-set of a sender record Forget rewrites.
var forgetScript = redis.NewScript(forgetSource)

// scanCount is the COUNT of each SCAN: about how many keys one call examines, so that
// Forget holds a bounded batch at a time and never blocks Redis for long.
const scanCount = 1000

// forgetAttempts bounds how often Forget reads a sender record again because a processor
// wrote it meanwhile; a record takes one write per signal, so a few attempts will do.
const forgetAttempts = 20

// Erasure is what Forget erased.
type Erasure struct {
	// Pairs is the number of pair records naming the member that were deleted.
	Pairs int
	// Own is 1 if the member's own sender record was deleted, 0 if there was none.
	Own int
	// Senders is the number of other members' sender records the member was removed from,
	// of SendersExamined read.
	Senders, SendersExamined int
}

// Erased is the number of keys deleted or changed.
func (e Erasure) Erased() int { return e.Pairs + e.Own + e.Senders }

// ErrUnreadableRecords is returned by Forget, with what it did erase, when some sender
// records could not be decoded: they might name the member.
var ErrUnreadableRecords = errors.New("unreadable sender records left in place")

// ErrResharding is returned by Forget, with what it did erase, when a Cluster's slots were
// moving, or moved, while it scanned: a key that went from one master to another between
// their scans is seen on neither, so records naming the member may be left. Running
// Forget again once the resharding is over finishes the erasure.
var ErrResharding = errors.New("the Cluster was resharding: records may be left")

// Forget erases what the store on client (keys under cfg's prefix) holds about member: it
// deletes every pair record naming the member (found by SCAN, on every master of a
// Cluster, and confirmed by parsing the key, so a member whose id contains member's is
// not touched) and the member's sender record, and removes the member from other members'
// sender records with a compare-and-set (a processor's write meanwhile is read again, not
// lost). Running it again erases nothing more.
//
// A processor still receiving events about member writes records again: run Forget once
// the platform sends none. On a Cluster whose slots move meanwhile (or are moving), a key
// can be missed: Forget erases what it finds and returns ErrResharding.
func Forget(ctx context.Context, client redis.UniversalClient, cfg Config, member string) (Erasure, error) {
	var e Erasure
	if member == "" {
		return e, errors.New("state: empty member id")
	}
	if err := cfg.Validate(); err != nil {
		return e, err
	}
	prefix := cfg.withDefaults().KeyPrefix
	before, err := slotsOf(ctx, client)
	if err != nil {
		return e, fmt.Errorf("state: forget: %w", err)
	}
	own := senderKey(prefix, member)
	n, err := client.Unlink(ctx, own).Result()
	if err != nil {
		return e, fmt.Errorf("state: forget: %w", err)
	}
	e.Own = int(n)

	var mu sync.Mutex // the masters of a Cluster are scanned concurrently
	add := func(f func()) {
		mu.Lock()
		f()
		mu.Unlock()
	}
	scanned := map[string]bool{} // the servers scanned, by address
	scanAll := func(pattern string, fn func(context.Context, []string) error) error {
		return scan(ctx, client, pattern, func(ctx context.Context, addr string, keys []string) error {
			add(func() { scanned[addr] = true })
			return fn(ctx, keys)
		})
	}
	// Pair keys name both members after the length prefix: the pattern finds the
	// candidates, parsePairKey keeps those of which member is exactly one.
	pairs := globEscape(prefix) + ":{*}:p:*" + globEscape(member) + "*"
	err = scanAll(pairs, func(ctx context.Context, keys []string) error {
		var mine []string
		for _, k := range keys {
			if low, high, ok := parsePairKey(prefix, k); ok && (low == member || high == member) {
				mine = append(mine, k)
			}
		}
		n, err := unlink(ctx, client, mine)
		add(func() { e.Pairs += n })
		return err
	})
	if err != nil {
		return e, fmt.Errorf("state: forget: %w", err)
	}

	var unreadable []string
	senders := globEscape(prefix) + ":{*}:s:*"
	err = scanAll(senders, func(ctx context.Context, keys []string) error {
		var theirs []string
		for _, k := range keys {
			if k != own && isSenderKey(prefix, k) {
				theirs = append(theirs, k)
			}
		}
		changed, bad, err := forgetInSenders(ctx, client, theirs, member)
		add(func() {
			e.Senders += changed
			e.SendersExamined += len(theirs)
			unreadable = append(unreadable, bad...)
		})
		return err
	})
	if err != nil {
		return e, fmt.Errorf("state: forget: %w", err)
	}
	after, err := slotsOf(ctx, client)
	if err != nil {
		return e, fmt.Errorf("state: forget: %w", err)
	}
	var errs []error // both are reported when both happened
	if moved := before.movedIn(after, scanned); moved != "" {
		errs = append(errs, fmt.Errorf("state: forget: %w (%s): run it again once the resharding is over", ErrResharding, moved))
	}
	if len(unreadable) > 0 {
		errs = append(errs, fmt.Errorf("state: forget: %w: %d, such as %s (they hold no more than the processor would replace: delete them)",
			ErrUnreadableRecords, len(unreadable), unreadable[0]))
	}
	return e, errors.Join(errs...)
}

// slots is where a Cluster's slots are: the master serving each range, and the slots
// being migrated or imported. It is empty for a single server or a Ring.
type slots struct {
	cluster bool
	layout  string   // "start-end@address" for each range (CLUSTER SHARDS), sorted
	masters []string // their addresses
	moving  []string // "slot->node" and "slot-<node" as CLUSTER NODES shows them
}

// slotsOf reads the slots of client, when it is a Cluster's.
func slotsOf(ctx context.Context, client redis.UniversalClient) (slots, error) {
	c, ok := client.(*redis.ClusterClient)
	if !ok {
		return slots{}, nil
	}
	shards, err := c.ClusterShards(ctx).Result()
	if err != nil {
		return slots{}, fmt.Errorf("cluster shards: %w", err)
	}
	s := slots{cluster: true}
	var layout []string
	for _, sh := range shards {
		i := slices.IndexFunc(sh.Nodes, func(n redis.Node) bool { return n.Role == "master" })
		if i < 0 || len(sh.Slots) == 0 {
			continue // a shard whose master failed, or that serves no slot
		}
		addr := nodeAddr(sh.Nodes[i])
		for _, r := range sh.Slots {
			layout = append(layout, fmt.Sprintf("%d-%d@%s", r.Start, r.End, addr))
		}
		s.masters = append(s.masters, addr)
	}
	slices.Sort(layout)
	s.layout = strings.Join(layout, " ")
	var mu sync.Mutex
	err = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		nodes, err := m.ClusterNodes(ctx).Result()
		if err != nil {
			return fmt.Errorf("cluster nodes of %s: %w", m.Options().Addr, err)
		}
		moving := migratingSlots(nodes)
		mu.Lock()
		s.moving = append(s.moving, moving...)
		mu.Unlock()
		return nil
	})
	return s, err
}

// nodeAddr is a node's address as the client dials it (CLUSTER SLOTS's preferred
// endpoint and port, the TLS port on a cluster of TLS ports only).
func nodeAddr(n redis.Node) string {
	host, port := n.Endpoint, n.Port
	if host == "" || host == "?" {
		host = n.IP
	}
	if port == 0 {
		port = n.TLSPort
	}
	return net.JoinHostPort(host, strconv.FormatInt(port, 10))
}

// migratingSlots returns the slots the node that answered CLUSTER NODES is migrating or
// importing: "[slot->-node]" and "[slot-<-node]" on its own ("myself") line.
func migratingSlots(nodes string) []string {
	for _, line := range strings.Split(nodes, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 8 || !slices.Contains(strings.Split(fields[2], ","), "myself") {
			continue
		}
		var moving []string
		for _, f := range fields[8:] {
			if strings.HasPrefix(f, "[") {
				moving = append(moving, strings.Trim(f, "[]"))
			}
		}
		return moving
	}
	return nil
}

// movedIn says what moved between s, read before the scans, and after, read once they
// were done, when anything did: slots migrating at either time, another layout, or a
// master that was not scanned. "" when nothing moved, or not a Cluster.
func (s slots) movedIn(after slots, scanned map[string]bool) string {
	if !s.cluster {
		return ""
	}
	if moving := append(slices.Clone(s.moving), after.moving...); len(moving) > 0 {
		slices.Sort(moving)
		return "slots migrating: " + strings.Join(slices.Compact(moving), ", ")
	}
	if s.layout != after.layout {
		return "the slots changed masters while the keys were scanned"
	}
	for _, m := range after.masters {
		if !scanned[m] {
			return "master " + m + " was not scanned"
		}
	}
	return ""
}

// scan calls fn with each batch of keys matching pattern on every server that holds
// keys, and that server's address: the one server, each master of a Cluster, each shard
// of a Ring (concurrently). fn is called at least once per server, with no keys if it has
// none.
func scan(ctx context.Context, client redis.UniversalClient, pattern string, fn func(ctx context.Context, addr string, keys []string) error) error {
	each := func(ctx context.Context, c *redis.Client) error {
		var cursor uint64
		for calls := 0; ; calls++ {
			keys, next, err := c.Scan(ctx, cursor, pattern, scanCount).Result()
			if err != nil {
				return fmt.Errorf("scan %s: %w", c.Options().Addr, err)
			}
			if len(keys) > 0 || calls == 0 {
				if err := fn(ctx, c.Options().Addr, keys); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	switch c := client.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, each)
	case *redis.Ring:
		return c.ForEachShard(ctx, each)
	case *redis.Client:
		return each(ctx, c)
	}
	return fmt.Errorf("cannot scan the keys of a %T", client)
}

// unlink deletes keys (one command each: on a Cluster they are in different slots, and the
// pipeline sends them per node) and returns how many existed.
func unlink(ctx context.Context, client redis.UniversalClient, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	pipe := client.Pipeline()
	cmds := make([]*redis.IntCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.Unlink(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cmds {
		n += int(c.Val())
	}
	return n, nil
}

// forgetInSenders removes member from the sender records at keys, and returns how many
// named it and the keys whose values could not be decoded.
func forgetInSenders(ctx context.Context, client redis.UniversalClient, keys []string, member string) (changed int, unreadable []string, err error) {
	if len(keys) == 0 {
		return 0, nil, nil
	}
	pipe := client.Pipeline()
	gets := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		gets[i] = pipe.Get(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !isWrongType(err) {
		return 0, nil, err
	}
	for i, k := range keys {
		v, err := gets[i].Result()
		switch {
		case errors.Is(err, redis.Nil), isWrongType(err):
			continue // expired since the scan, or not relance's
		case err != nil:
			return changed, unreadable, err
		}
		ok, err := forgetInSender(ctx, client, k, v, member)
		switch {
		case errors.Is(err, offender.ErrUnreadable):
			unreadable = append(unreadable, k)
		case err != nil:
			return changed, unreadable, err
		case ok:
			changed++
		}
	}
	return changed, unreadable, nil
}

// forgetInSender removes member from the sender record at key, read as value, and reports
// whether it named the member. When a processor wrote the record meanwhile, it reads it
// again and starts over, as the store does with a batch.
func forgetInSender(ctx context.Context, client redis.UniversalClient, key, value, member string) (bool, error) {
	for attempt := 1; ; attempt++ {
		r, err := offender.Decode(value)
		if err != nil {
			return false, err
		}
		if !r.Forget(member) {
			return false, nil
		}
		written, err := forgetScript.Run(ctx, client, []string{key}, value[:offender.HeaderLen], r.Encode(nil, rand.Uint64())).Int()
		if err != nil {
			return false, fmt.Errorf("key %s: %w", key, err)
		}
		if written == 1 {
			return true, nil
		}
		if attempt == forgetAttempts {
			return false, fmt.Errorf("key %s: written by another writer %d times in a row", key, attempt)
		}
		if err := backoff.Sleep(ctx, backoff.Jitter(retryDelay(attempt))); err != nil {
			return false, err
		}
		value, err = client.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) || isWrongType(err) {
			return false, nil // gone meanwhile: it names nobody now
		}
		if err != nil {
			return false, fmt.Errorf("key %s: %w", key, err)
		}
	}
}
