package processor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/processor"
)

// TestStopDuringRebalanceIsBounded: the processor is stopped while its JoinGroup is held
// by the coordinator, which waits for a member that joined and went silent (a killed
// instance) to rejoin, for that member's 30 s rebalance timeout. kafka-go's reader Close
// would wait for the join; Run returns within CloseTimeout and a second, with nil (there
// was nothing to commit), and leaves no goroutine behind (goleak, TestMain).
func TestStopDuringRebalanceIsBounded(t *testing.T) {
	e := newEnv(t)
	client := newClient(e)
	silentJoin(t, client, e.group, e.names.Inputs())

	const closeTimeout = 300 * time.Millisecond
	r := e.start(nil, func(c *processor.Config) {
		c.CloseTimeout = closeTimeout
		c.SessionTimeout, c.RebalanceTimeout = 30*time.Second, 30*time.Second
	})
	waitGroupState(t, client, e.group, "PreparingRebalance")
	stopped := time.Now()
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if took, bound := time.Since(stopped), closeTimeout+time.Second; took > bound {
		t.Fatalf("Run returned %s after its context was cancelled, want at most %s", took, bound)
	}
}

// silentJoin joins group as a member that then never syncs nor heartbeats, with a 30 s
// session and rebalance timeout.
func silentJoin(t *testing.T, client *kafka.Client, group string, inputs []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := &kafka.JoinGroupRequest{
		GroupID:          group,
		SessionTimeout:   30 * time.Second,
		RebalanceTimeout: 30 * time.Second,
		ProtocolType:     "consumer",
		Protocols:        []kafka.GroupProtocol{{Name: "range", Metadata: kafka.GroupProtocolSubscription{Topics: inputs}}},
	}
	for range 2 { // the first answer may only assign the member id (MEMBER_ID_REQUIRED)
		resp, err := client.JoinGroup(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if errors.Is(resp.Error, kafka.MemberIDRequired) {
			req.MemberID = resp.MemberID
			continue
		}
		if resp.Error != nil {
			t.Fatal(resp.Error)
		}
		return
	}
	t.Fatal("join group: member id required twice")
}

// waitGroupState waits until group is in state, for at most 10 s.
func waitGroupState(t *testing.T, client *kafka.Client, group, state string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	last := "not described"
	for {
		resp, err := client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		if err == nil && len(resp.Groups) == 1 {
			if last = resp.Groups[0].GroupState; last == state {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("group %s is %s, not %s", group, last, state)
		case <-tick.C:
		}
	}
}
