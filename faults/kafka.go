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

// partitionOffsets maps topic → partition → offset.
type partitionOffsets map[string]map[int]int64

// endOffsets returns the high watermark of every partition of topics.
func endOffsets(ctx context.Context, client *kafka.Client, topics []string) (partitionOffsets, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, t := range meta.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("metadata of %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	resp, err := client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	out := partitionOffsets{}
	for topic, parts := range resp.Topics {
		out[topic] = map[int]int64{}
		for _, p := range parts {
			if p.Error != nil {
				return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, p.Partition, p.Error)
			}
			out[topic][p.Partition] = p.LastOffset
		}
	}
	return out, nil
}

// Lag returns how many input records group has not committed yet.
func Lag(ctx context.Context, brokers []string, group string, inputs []string) (int64, error) {
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: 5 * time.Second}
	ends, err := endOffsets(ctx, client, inputs)
	if err != nil {
		return 0, err
	}
	req := &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{}}
	for topic, parts := range ends {
		for p := range parts {
			req.Topics[topic] = append(req.Topics[topic], p)
		}
	}
	resp, err := client.OffsetFetch(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("offset fetch: %w", err)
	}
	if resp.Error != nil {
		return 0, fmt.Errorf("offset fetch: %w", resp.Error)
	}
	var lag int64
	committed := partitionOffsets{}
	for topic, parts := range resp.Topics {
		committed[topic] = map[int]int64{}
		for _, p := range parts {
			if p.Error != nil {
				return 0, fmt.Errorf("offset fetch %s/%d: %w", topic, p.Partition, p.Error)
			}
			committed[topic][p.Partition] = p.CommittedOffset
		}
	}
	for topic, parts := range ends {
		for p, end := range parts {
			c, ok := committed[topic][p]
			if !ok || c < 0 {
				c = 0
			}
			lag += max(end-c, 0)
		}
	}
	return lag, nil
}

// WaitDrained polls until group has committed every record of inputs, or ctx ends.
func WaitDrained(ctx context.Context, brokers []string, group string, inputs []string) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var lastErr error
	var lag int64 = -1
	for {
		attempt, cancel := context.WithTimeout(ctx, 10*time.Second)
		l, err := Lag(attempt, brokers, group, inputs)
		cancel()
		if err == nil && l == 0 {
			return nil
		}
		lag, lastErr = l, err
		select {
		case <-ctx.Done():
			return fmt.Errorf("group %s not drained (lag %d, last error %v): %w", group, lag, lastErr, ctx.Err())
		case <-tick.C:
		}
	}
}

// ReadAll reads every record of topic, from the first offset to the high watermark it has
// when ReadAll starts, without a consumer group.
func ReadAll(ctx context.Context, brokers []string, topic string) ([]kafka.Message, error) {
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: 10 * time.Second}
	ends, err := endOffsets(ctx, client, []string{topic})
	if err != nil {
		return nil, err
	}
	var out []kafka.Message
	parts := make([]int, 0, len(ends[topic]))
	for p := range ends[topic] {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	for _, p := range parts {
		end := ends[topic][p]
		if end == 0 {
			continue
		}
		msgs, err := readPartition(ctx, brokers, topic, p, end)
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

func readPartition(ctx context.Context, brokers []string, topic string, partition int, end int64) ([]kafka.Message, error) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   brokers,
		Topic:     topic,
		Partition: partition,
		MaxWait:   100 * time.Millisecond,
		MaxBytes:  8 << 20,
	})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		return nil, err
	}
	var out []kafka.Message
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read %s/%d at %d of %d: %w", topic, partition, len(out), end, err)
		}
		out = append(out, m)
		if m.Offset >= end-1 {
			return out, nil
		}
	}
}

// RewindGroup commits, for every partition of inputs, the first offset whose record
// timestamp is at or after since (the end of the partition when there is none), as
// `kafka-consumer-groups --reset-offsets --to-datetime` does. The group must have no
// active member: stop every relance instance first. It returns the records to replay.
func RewindGroup(ctx context.Context, brokers []string, group string, inputs []string, since time.Time) (int64, error) {
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: 10 * time.Second}
	ends, err := endOffsets(ctx, client, inputs)
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
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: 5 * time.Second}
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
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: 5 * time.Second}
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
			g := resp.Groups[0]
			fresh := len(before) == 0
			for _, m := range g.Members {
				fresh = fresh || !slices.Contains(before, m.MemberID)
			}
			if g.GroupState == "Stable" && len(g.Members) == members && fresh {
				return nil
			}
			last = fmt.Sprintf("%s with %d members (a new one: %v)", g.GroupState, len(g.Members), fresh)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("group %s not stable with %d members (last: %s): %w", group, members, last, ctx.Err())
		case <-tick.C:
		}
	}
}
