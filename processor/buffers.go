package processor

import (
	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/policy"
)

// buffers are the slices a batch fills on its way through the pipeline, most as long as
// the batch: its records as fetched, its items and observations, the text check's inputs,
// the records to write, and what commits it. Allocated for every batch, they were some
// 400 bytes an event of garbage (BenchmarkBatch); instead, the fetch stage takes the
// buffers of a committed batch from a freeList and the publish stage gives them back once
// the batch is committed.
//
// That is safe because a batch's buffers are only ever touched by the stage holding the
// batch, and nothing keeps a reference to them once it is committed: the store's Apply
// returns before the apply stage hands the batch on and keeps nothing of obs (its
// results are its own slice); the writer and CommitMessages copy the records they are
// given, and return once they are written or committed; and the outcome metrics, the
// last reader, are counted before the batch is given back. A batch that fails is never given back: it is left to the garbage collector with
// whatever may still refer to it.
type buffers struct {
	msgs    []kafka.Message // the records fetched; items point into it
	items   []item
	obs     []policy.Observation
	texts   []policy.Text
	textObs []int
	records []kafka.Message // the outputs; their values are their own, never reused
	commits []kafka.Message // what commits the batch (commitPoints)
}

// freeList holds the buffers of committed batches for the batches fetched next. The fetch
// stage takes from it and the publish stage gives back to it: a channel does without a
// lock. It holds as many buffers as batches can be in flight in the pipeline, one in each
// stage and channel (see pipeline.go), so that none is dropped in a steady flow.
type freeList chan *buffers

// batchesInFlight is the most batches fetched and not yet committed (pipeline.go).
const batchesInFlight = 5

func newFreeList() freeList { return make(freeList, batchesInFlight) }

// get returns free buffers, or new ones when none is free.
func (f freeList) get() *buffers {
	select {
	case b := <-f:
		return b
	default:
		return new(buffers)
	}
}

// put gives back the buffers of a committed batch. Nothing may refer to them any more.
// Their contents are cleared first: kept, the batch's records (message text included),
// observations and outputs would stay live until the buffers are reused, some 4 MB for
// five batches, which the garbage collector's pace (GOGC 400) makes some 20 MB of RSS.
func (f freeList) put(b *buffers) {
	clear(b.msgs)
	clear(b.items)
	clear(b.obs)
	clear(b.records) // b.texts is cleared by decode as soon as it is checked
	clear(b.commits)
	select {
	case f <- b:
	default: // full: b is left to the garbage collector
	}
}
