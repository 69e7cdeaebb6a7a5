package processor

import (
	"context"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/policy"
)

// OutcomeDeadLetter is the outcome of a record the processor dead-letters (it failed to
// decode, or the store could not record it), in relance_events_consumed_total and in
// Outcome's callers.
const OutcomeDeadLetter = "dead_letter"

// Decoded is one record as the processor's fetch stage reads it: a valid event, or the
// reason it is dead-lettered.
type Decoded struct {
	// Input is the event as the store and the policy decide it; zero when Invalid is set.
	Input policy.Input
	// Invalid is why the record is dead-lettered (it wraps topics.ErrInvalidEvent).
	Invalid error
}

// Decode reads batch exactly as the fetch stage does, with the same code: each record by
// its topic's decoder in decoders (Decoders), events more than the allowed skew ahead of
// now rejected, then the text check of texts run on the batch's messages (concurrently
// when it allows it) and its categories merged with the platform's labels. It is for
// tools that decide past traffic offline as the processor would (relance replay); nil
// texts is policy.NoTextCheck, as for New. An error means the text check gave no answer
// (ctx ended).
func Decode(ctx context.Context, decoders map[string]Decoder, texts policy.TextChecker, now time.Time, batch []kafka.Message) ([]Decoded, error) {
	if texts == nil {
		texts = policy.NoTextCheck
	}
	p := &Processor{decoders: decoders, texts: texts, now: func() time.Time { return now }}
	items, obs, err := p.decode(ctx, new(buffers), batch)
	if err != nil {
		return nil, err
	}
	return decodedOf(items, obs), nil
}

// decodedOf is a decoded batch's items as Decoded.
func decodedOf(items []item, obs []policy.Observation) []Decoded {
	out := make([]Decoded, len(items))
	for i := range items {
		if items[i].invalid != nil {
			out[i].Invalid = items[i].invalid
			continue
		}
		out[i].Input = items[i].input(obs)
	}
	return out
}

// Outcome is the label relance_events_consumed_total counts a valid event under, given
// what the store did with it: "counted", "replayed", "answer", "block", … (for a record
// the processor dead-letters, OutcomeDeadLetter).
func Outcome(a policy.Action, s policy.Streak) string { return outcome(a, s) }
