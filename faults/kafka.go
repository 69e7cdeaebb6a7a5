package faults

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/testenv"
)

// pollInterval is how often the harness polls a condition.
const pollInterval = 50 * time.Millisecond

// Produce writes records in order, chunk records per synchronous call, acknowledged by all
// in-sync replicas. Records with the same key go to the same partition in order.
func Produce(ctx context.Context, brokers []string, records []Record, chunk int) error {
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		BatchSize:    max(chunk, 1),
		BatchBytes:   4 << 20,
		Transport:    transport,
	}
	defer w.Close()
	if chunk < 1 {
		chunk = len(records)
	}
	for start := 0; start < len(records); start += chunk {
		end := min(start+chunk, len(records))
		msgs := make([]kafka.Message, 0, end-start)
		for _, r := range records[start:end] {
			msgs = append(msgs, kafka.Message{Topic: r.Topic, Key: r.Key, Value: r.Value})
		}
		// Retry like a platform producer would while the broker is away. A retried chunk
		// may be written twice: relance drops redelivered messages by id.
		backoff := 50 * time.Millisecond
		for {
			err := w.WriteMessages(ctx, msgs...)
			if err == nil {
				break
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("produce records %d..%d: %w", start, end, err)
			case <-t.C:
			}
			backoff = min(2*backoff, 2*time.Second)
		}
	}
	return nil
}

// RewindGroup commits, for every partition of inputs, the first offset whose record
// timestamp is at or after since (the end of the partition when there is none), as
// `kafka-consumer-groups --reset-offsets --to-datetime` does. The group must have no
// active member: stop every relance instance first. It returns the records to replay.
func RewindGroup(ctx context.Context, brokers []string, group string, inputs []string, since time.Time) (int64, error) {
	client, done := testenv.NewClient(brokers...)
	defer done()
	ends, err := testenv.EndOffsets(ctx, client, inputs...)
	if err != nil {
		return 0, err
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for topic, parts := range ends {
		for p := range parts {
			req.Topics[topic] = append(req.Topics[topic], kafka.TimeOffsetOf(p, since))
		}
	}
	resp, err := client.ListOffsets(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("list offsets at %s: %w", since, err)
	}
	commit := &kafka.OffsetCommitRequest{GroupID: group, GenerationID: -1, Topics: map[string][]kafka.OffsetCommit{}}
	var replay int64
	for topic, parts := range resp.Topics {
		for _, p := range parts {
			if p.Error != nil {
				return 0, fmt.Errorf("list offsets of %s/%d: %w", topic, p.Partition, p.Error)
			}
			offset := ends[topic][p.Partition]
			for o := range p.Offsets {
				if o >= 0 && o < offset {
					offset = o
				}
			}
			replay += ends[topic][p.Partition] - offset
			commit.Topics[topic] = append(commit.Topics[topic], kafka.OffsetCommit{Partition: p.Partition, Offset: offset})
		}
	}
	cresp, err := client.OffsetCommit(ctx, commit)
	if err != nil {
		return 0, fmt.Errorf("commit rewound offsets: %w", err)
	}
	for topic, parts := range cresp.Topics {
		for _, p := range parts {
			if p.Error != nil {
				return 0, fmt.Errorf("commit rewound offset of %s/%d: %w", topic, p.Partition, p.Error)
			}
		}
	}
	return replay, nil
}

// DeleteKeys deletes the keys matching pattern (every master of a Cluster), as an
// operator would with redis-cli --scan --pattern … | xargs redis-cli del.
func DeleteKeys(ctx context.Context, rdb redis.UniversalClient, pattern string) (int, error) {
	del := func(ctx context.Context, c *redis.Client) (int, error) {
		n := 0
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return n, err
			}
			n++
		}
		return n, iter.Err()
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		total := 0
		err := c.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			n, err := del(ctx, c)
			mu.Lock()
			total += n
			mu.Unlock()
			return err
		})
		return total, err
	case *redis.Client:
		return del(ctx, c)
	}
	return 0, fmt.Errorf("delete keys: unsupported client %T", rdb)
}

// ScriptFlush runs SCRIPT FLUSH on every server (every master of a Cluster).
func ScriptFlush(ctx context.Context, rdb redis.UniversalClient) error {
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.ScriptFlush(ctx).Err() })
	default:
		return rdb.ScriptFlush(ctx).Err()
	}
}

// GroupMembers returns the member ids of group.
func GroupMembers(ctx context.Context, brokers []string, group string) ([]string, error) {
	client, done := testenv.NewClient(brokers...)
	defer done()
	resp, err := client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		return nil, err
	}
	if len(resp.Groups) != 1 || resp.Groups[0].Error != nil {
		return nil, fmt.Errorf("describe group %s: %d groups, error %v", group, len(resp.Groups), errors.Join(resp.Groups[0].Error))
	}
	var ids []string
	for _, m := range resp.Groups[0].Members {
		ids = append(ids, m.MemberID)
	}
	return ids, nil
}

// WaitGroupStable polls until group is stable with exactly members members, at least one
// of them not in before (when before is not empty), or ctx ends. A member killed with
// SIGKILL stays in its group until its session times out, so this is how a scenario knows
// a restarted instance has its partitions: before holds the members from before the
// restart, and a group still stable with just the killed member does not count.
func WaitGroupStable(ctx context.Context, brokers []string, group string, members int, before []string) error {
	return waitGroup(ctx, brokers, group, fmt.Sprintf("stable with %d members", members), func(g kafka.DescribeGroupsResponseGroup) (bool, string) {
		fresh := len(before) == 0
		for _, m := range g.Members {
			fresh = fresh || !slices.Contains(before, m.MemberID)
		}
		return g.GroupState == "Stable" && len(g.Members) == members && fresh,
			fmt.Sprintf("%s with %d members (a new one: %v)", g.GroupState, len(g.Members), fresh)
	})
}

// WaitGroupRebalancing polls until group is in a rebalance (PreparingRebalance or
// CompletingRebalance), or ctx ends. A new member's JoinGroup starts one; while a member
// killed with SIGKILL is still in the group, the coordinator holds it until that member's
// session times out.
func WaitGroupRebalancing(ctx context.Context, brokers []string, group string) error {
	return waitGroup(ctx, brokers, group, "rebalancing", func(g kafka.DescribeGroupsResponseGroup) (bool, string) {
		return g.GroupState == "PreparingRebalance" || g.GroupState == "CompletingRebalance", g.GroupState
	})
}

// WaitGroupEmpty polls until group has no member (Empty), or ctx ends: the coordinator
// has dropped every member that left, died or was cut off, whose sessions have expired.
func WaitGroupEmpty(ctx context.Context, brokers []string, group string) error {
	return waitGroup(ctx, brokers, group, "empty", func(g kafka.DescribeGroupsResponseGroup) (bool, string) {
		return len(g.Members) == 0, fmt.Sprintf("%s with %d members", g.GroupState, len(g.Members))
	})
}

// waitGroup polls group's description until done says so (it also says what it saw), or
// ctx ends; want names the awaited state in the error.
func waitGroup(ctx context.Context, brokers []string, group, want string, done func(kafka.DescribeGroupsResponseGroup) (bool, string)) error {
	client, closeClient := testenv.NewClient(brokers...)
	defer closeClient()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last string
	for {
		resp, err := client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		switch {
		case err != nil:
			last = err.Error()
		case len(resp.Groups) != 1:
			last = fmt.Sprintf("%d groups described", len(resp.Groups))
		case resp.Groups[0].Error != nil:
			last = resp.Groups[0].Error.Error()
		default:
			var ok bool
			if ok, last = done(resp.Groups[0]); ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("group %s not %s (last: %s): %w", group, want, last, ctx.Err())
		case <-tick.C:
		}
	}
}
