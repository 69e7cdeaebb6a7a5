package faults_test

import (
	"context"
	"testing"
	"time"

	"github.com/relance/relance/faults"
)

// termBound is how long after SIGTERM an instance that has committed every batch it
// fetched may take to exit, whatever its consumer group is doing: processor.Config's
// CloseTimeout (3 s by default) and some slack. Kubernetes kills at 30 s (the default
// terminationGracePeriodSeconds). See docs/OPERATIONS.md.
const termBound = 5 * time.Second

// TestTermDuringRebalance: an instance is killed with SIGKILL, a new one starts in the
// same group with the default 30 s session timeout, as in production, and is stopped with
// SIGTERM while the group still rebalances (the coordinator holds the new member's
// JoinGroup until the killed member's session expires). The new instance has fetched
// nothing; it must exit 0 within termBound, and the group's committed offsets must not
// move. The full variant then streams the rest of the workload to a third instance and
// checks every output.
func TestTermDuringRebalance(t *testing.T) {
	r := newRig(t, rigOptions{seed: 10, pairs: pick(100, 30)})
	half := r.chunks(2)
	a := r.startRelance()
	r.produce(half[0][0], half[0][1])
	r.drain(time.Minute)
	a.Kill()

	b := r.startRelance()
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	if err := faults.WaitGroupRebalancing(ctx, []string{r.broker.Addr()}, r.group); err != nil {
		t.Fatalf("%v; relance logs:%s", err, logsOf(r.dir))
	}
	if b.Exited() {
		t.Fatalf("the new instance exited before SIGTERM; its logs:%s", logsOf(r.dir))
	}
	termed := time.Now()
	err := b.Term(time.Minute)
	took := time.Since(termed)
	t.Logf("exited %s after SIGTERM, the group rebalancing", took.Round(time.Millisecond))
	if err != nil {
		t.Errorf("relance on SIGTERM during a rebalance: %v; its logs:%s", err, logsOf(r.dir))
	}
	if took > termBound {
		t.Errorf("relance took %s to exit after SIGTERM during a rebalance, want at most %s", took.Round(time.Millisecond), termBound)
	}
	if n := r.logCount("stopped: every fetched batch is committed"); n != 1 {
		t.Errorf("%d instances said every fetched batch was committed, want 1 (the one stopped with SIGTERM)", n)
	}
	// Nothing is lost: what the killed instance committed is still all there is.
	r.drain(10 * time.Second)

	if !full() {
		return
	}
	// The stand-in broker (kfake) stops answering every client if an instance joins
	// while the coordinator still holds the cut-off member's JoinGroup: Kafka does not,
	// but the scenario is about the SIGTERM, so the next instance starts once the
	// coordinator has dropped that member (its session, 30 s).
	ctx, cancel = context.WithTimeout(r.ctx, 2*time.Minute)
	defer cancel()
	if err := faults.WaitGroupEmpty(ctx, []string{r.broker.Addr()}, r.group); err != nil {
		t.Fatalf("%v; relance logs:%s", err, logsOf(r.dir))
	}
	r.startRelance()
	r.produce(half[1][0], half[1][1])
	r.report("SIGTERM during a rebalance", true)
}
