package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/offender"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/streak"
)

// Inspection is what the store holds about two members (relance inspect): their pair's
// record, both directions, and each one's sender record. It holds ids, times, counts and
// categories: the store keeps no message text.
type Inspection struct {
	A, B string
	// Pair is the pair's record, nil when the store holds none.
	Pair *PairRecord
	// Senders are A's and B's sender records, nil when the store holds none.
	Senders [2]*SenderRecord
}

// Empty reports whether the store holds nothing about the two members.
func (in *Inspection) Empty() bool {
	return in.Pair == nil && in.Senders[0] == nil && in.Senders[1] == nil
}

// PairRecord is a pair's record, decoded by package streak.
type PairRecord struct {
	Key string
	// TTL is how long the key lives without another write (negative: no expiry).
	TTL time.Duration
	// AB is the direction from A to B, BA from B to A.
	AB, BA DirectionRecord
}

// DirectionRecord is one direction of a pair, with what the policy decides for each
// observation whose decision it keeps.
type DirectionRecord struct {
	From, To string
	streak.Direction
	// Fired are the nudges and alerts the policy decides for each of Kept, in order: the
	// levels that message crossed, the content rules it fired, a report's alert. A
	// redelivery of it publishes them again.
	Fired []policy.Decisions
}

// SenderRecord is a member's sender record, decoded by package offender.
type SenderRecord struct {
	Key string
	// TTL is how long the key lives without another write (negative: no expiry).
	TTL time.Duration
	// Newest is the newest signal: the record's window ends there.
	Newest time.Time
	// Entries are the members counted toward the repeat-offender levels, with the levels
	// each crossed.
	Entries []offender.Entry
}

// Inspect reads what the store on client (keys under cfg's prefix) holds about members a
// and b, and decodes it with the store's own code: the pair with package streak, the
// sender records with package offender, the kept decisions with pol (which should be the
// processor's: its burst numbers the attempts, its levels are the ones named). It only
// reads.
func Inspect(ctx context.Context, client redis.UniversalClient, pol *policy.Policy, cfg Config, a, b string) (*Inspection, error) {
	if err := checkMembers(a, b); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	in := &Inspection{A: a, B: b}
	keys := []string{pairKey(cfg.KeyPrefix, a, b), senderKey(cfg.KeyPrefix, a), senderKey(cfg.KeyPrefix, b)}
	// One command per key: on a Cluster they live in different slots. The pipeline sends
	// them in one round trip per node.
	pipe := client.Pipeline()
	gets, ttls := make([]*redis.StringCmd, len(keys)), make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		gets[i], ttls[i] = pipe.Get(ctx, k), pipe.PTTL(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !isWrongType(err) {
		return nil, fmt.Errorf("state: inspect: %w", err)
	}
	values := make([]string, len(keys))
	found := make([]bool, len(keys))
	for i := range keys {
		v, err := gets[i].Result()
		switch {
		case err == nil && ttls[i].Err() != nil:
			return nil, fmt.Errorf("state: inspect: key %s: %w", keys[i], ttls[i].Err())
		case err == nil:
			values[i], found[i] = v, true
		case errors.Is(err, redis.Nil), isWrongType(err): // none, or not relance's: the store reads it as none
		default:
			return nil, fmt.Errorf("state: inspect: key %s: %w", keys[i], err)
		}
	}
	if found[0] {
		p, err := streak.Decode(values[0])
		if err != nil {
			return nil, fmt.Errorf("state: inspect: key %s: %w", keys[0], err)
		}
		low, high := a, b
		if high < low {
			low, high = high, low
		}
		dirs := p.Directions(pol.Burst())
		rec := &PairRecord{Key: keys[0], TTL: ttls[0].Val(),
			AB: newDirectionRecord(pol, low, high, dirs[0]), BA: newDirectionRecord(pol, high, low, dirs[1])}
		if a != low {
			rec.AB, rec.BA = rec.BA, rec.AB
		}
		in.Pair = rec
	}
	limits := offender.Limits{Window: pol.Window()}
	for k, levels := range pol.SenderLevels() {
		limits.Levels[k] = levels
	}
	for i := range in.Senders {
		if !found[i+1] {
			continue
		}
		r, err := offender.Decode(values[i+1])
		if err != nil {
			return nil, fmt.Errorf("state: inspect: key %s: %w", keys[i+1], err)
		}
		in.Senders[i] = &SenderRecord{Key: keys[i+1], TTL: ttls[i+1].Val(), Newest: r.Newest(), Entries: r.Entries(&limits)}
	}
	return in, nil
}

// newDirectionRecord is d, from one member to the other, with what pol decides for each
// observation whose decision it keeps: the decision a redelivery of it would take again.
func newDirectionRecord(pol *policy.Policy, from, to string, d streak.Direction) DirectionRecord {
	rec := DirectionRecord{From: from, To: to, Direction: d}
	for _, k := range d.Kept {
		o := policy.Observation{Action: policy.ActionMessage, MessageID: k.ID, SenderID: from, RecipientID: to,
			SentAt: k.SentAt, Categories: k.Streak.Categories}
		if k.Action {
			// The only action whose decision a pair keeps is a report, by the recipient.
			o.Action = policy.ActionReport
		}
		rec.Fired = append(rec.Fired, pol.Decide(policy.Input{Observation: o}, k.Streak))
	}
	return rec
}

// checkMembers reports why a and b cannot be a pair's members.
func checkMembers(a, b string) error {
	switch {
	case a == "" || b == "":
		return errors.New("state: empty member id")
	case a == b:
		return errors.New("state: a pair has two different members")
	}
	return nil
}

// isWrongType reports whether err is Redis's reply to a read of a key holding something
// else than a string, which the store reads as no record.
func isWrongType(err error) bool {
	reply, ok := errors.AsType[redis.Error](err)
	return ok && strings.HasPrefix(reply.Error(), "WRONGTYPE")
}
