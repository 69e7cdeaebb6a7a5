package processor

// Run's loop is a pipeline of three stages, each one goroutine, linked by channels that
// hold one batch:
//
//	fetch ──▶ apply ──▶ publish
//
//   - fetch: FetchMessage until the batch is full or BatchLinger has passed, then decode
//     it (JSON, validation, the text check): CPU work.
//   - apply: Store.Apply, the policy's decisions, the output records: waits on Redis.
//   - publish: WriteMessages, then CommitMessages, then the outcome metrics: waits on the
//     brokers.
//
// Done one after the other, the CPU would sit idle while Redis works and while the brokers
// acknowledge a write. As a pipeline, batch n is written and committed while batch n+1 is
// in Redis and batch n+2 is being fetched and decoded. At most five batches are fetched
// and not committed (one in each stage, one in each channel); a crash redelivers them.
// A batch's slices are reused by the batches fetched after it has been committed, not
// before (buffers.go).
//
// Order is what keeps the guarantees. Each stage is a single goroutine that takes its
// batches in fetch order from one FIFO channel, so:
//   - Store.Apply calls happen one at a time, in fetch order (the store relies on the order
//     of a pair's events);
//   - outputs are written in input order, batch n's before batch n+1's;
//   - a batch is committed only after its own outputs are acknowledged, and after every
//     earlier batch was committed;
//   - a stage that fails passes nothing on after the batch it failed on, so nothing after
//     the failure is ever committed.
//
// Stopping. When ctx is cancelled or a stage fails, the fetch stage stops fetching and
// Config.ShutdownGrace starts: the later stages finish the batches they already have, in
// order, and end when their input is closed. When the grace is over, their Redis and Kafka
// calls are cancelled and whatever is left is not committed (it will be redelivered). A
// failed publish stage also stops the apply stage at once: nothing it applied could be
// committed any more. Every goroutine of the pipeline has ended when pipeline returns.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/policy"
)

// fetched is a batch as the fetch stage hands it on: its records, decoded. msgs, items
// and obs are in buf, given back to the free list once the batch is committed.
type fetched struct {
	msgs  []kafka.Message
	items []item
	obs   []policy.Observation
	buf   *buffers
	times stageTimes
}

// applied is a batch whose observations are in the store, with the records to write
// (in buf, for reuse).
type applied struct {
	fetched
	results []policy.Result
	records []kafka.Message
	decided tally
}

// errLaterStageFailed cancels the apply stage when the publish stage has failed.
var errLaterStageFailed = errors.New("a later stage failed")

// pipeline runs the three stages until ctx is cancelled and every batch fetched is
// committed (it then returns nil), or until a stage fails and the others have stopped (it
// returns the failures).
func (p *Processor) pipeline(ctx context.Context, r *kafka.Reader, w *kafka.Writer) error {
	// stopping ends fetching: ctx is cancelled or a stage failed.
	stopping, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// work bounds every Redis and Kafka call after the fetch: it ends ShutdownGrace after
	// stopping does.
	work, abandon := context.WithCancelCause(context.WithoutCancel(ctx))
	defer abandon(nil)
	// applying is work, ended early when the publish stage fails.
	applying, stopApplying := context.WithCancelCause(work)
	defer stopApplying(nil)

	var (
		free      = newFreeList() // the buffers of committed batches, for the next ones
		toApply   = make(chan fetched, 1)
		toPublish = make(chan applied, 1)
		// Closed when a stage returns: what is sent to it after that is dropped.
		applyEnded   = make(chan struct{})
		publishEnded = make(chan struct{})

		wg                             sync.WaitGroup
		fetchErr, applyErr, publishErr error
	)
	wg.Go(func() {
		defer close(toApply)
		fetchErr = p.fetchStage(stopping, work, r, free, toApply, applyEnded)
		if fetchErr != nil {
			stop(fetchErr)
		}
	})
	wg.Go(func() {
		defer close(applyEnded)
		defer close(toPublish)
		err := p.applyStage(applying, toApply, toPublish, publishEnded)
		switch {
		case err == nil:
		case errors.Is(context.Cause(applying), errLaterStageFailed):
			// A consequence of the publish stage's failure, which is the one reported.
		default:
			applyErr = err
			stop(err)
		}
	})
	wg.Go(func() {
		defer close(publishEnded)
		publishErr = p.publishStage(work, r, w, toPublish, free)
		if publishErr != nil {
			stopApplying(errLaterStageFailed)
			stop(publishErr)
		}
	})

	// The grace: once stopping, the stages have ShutdownGrace to finish.
	stagesEnded := make(chan struct{})
	graceEnded := make(chan struct{})
	go func() {
		defer close(graceEnded)
		select {
		case <-stopping.Done():
		case <-stagesEnded:
			return
		}
		t := time.NewTimer(p.cfg.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			abandon(fmt.Errorf("shutdown grace of %s over", p.cfg.ShutdownGrace))
		case <-stagesEnded:
		}
	}()

	wg.Wait()
	close(stagesEnded)
	<-graceEnded
	return errors.Join(fetchErr, applyErr, publishErr)
}

// fetchStage fetches and decodes batches until ctx ends, and hands them to the apply
// stage in fetch order. A batch fetched when ctx ends is still handed on, to be finished.
// The text check of a batch fetched runs within work, which outlasts ctx by the shutdown
// grace, so that a batch in hand when ctx ends is still finished. Each batch is fetched
// into buffers from free.
func (p *Processor) fetchStage(ctx, work context.Context, r *kafka.Reader, free freeList, out chan<- fetched, outEnded <-chan struct{}) error {
	for {
		buf := free.get()
		msgs, times, err := p.fetch(ctx, r, buf.msgs[:0])
		if len(msgs) == 0 {
			return err // nil when ctx ended
		}
		buf.msgs = msgs
		p.metrics.BatchSize.Observe(float64(len(msgs)))
		p.observeLag(msgs)
		items, obs, err := p.decode(work, buf, msgs)
		if err != nil {
			return err // the grace is over: the batch is left uncommitted, to be redelivered
		}
		times.decoded = time.Now()
		select {
		case out <- fetched{msgs: msgs, items: items, obs: obs, buf: buf, times: times}:
		case <-outEnded:
			return nil // the apply stage failed, which is reported; this batch is redelivered
		}
	}
}

// applyStage stores each batch and builds its outputs, in fetch order, until its input is
// closed or a batch fails.
func (p *Processor) applyStage(ctx context.Context, in <-chan fetched, out chan<- applied, outEnded <-chan struct{}) error {
	for b := range in {
		b.times.applyStart = time.Now()
		a, err := p.apply(ctx, b)
		if err != nil {
			return err
		}
		select {
		case out <- a:
		case <-outEnded:
			return nil // the publish stage failed, which is reported
		}
	}
	return nil
}

// publishStage writes and commits each batch, in fetch order, until its input is closed
// or a batch fails. A batch committed gives its buffers back to free: nothing refers to
// them any more (see buffers).
func (p *Processor) publishStage(ctx context.Context, r *kafka.Reader, w *kafka.Writer, in <-chan applied, free freeList) error {
	for a := range in {
		a.times.publishStart = time.Now()
		if err := p.publish(ctx, r, w, a); err != nil {
			return err
		}
		free.put(a.buf)
	}
	return nil
}
