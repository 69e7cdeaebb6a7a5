package examples

import (
	"context"
	"fmt"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/examples/dedup"
)

// Reader is the part of *kafka.Reader a consumer needs.
type Reader interface {
	FetchMessage(ctx context.Context) (kafka.Message, error)
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Consume fetches records until ctx ends or r fails. For each, handle decodes it and returns
// its id and a function doing the work. A record whose id was already seen is committed
// without doing the work again; the work done, its offset is committed, so a crash between
// the two redoes it and the next run drops the duplicate.
func Consume(ctx context.Context, r Reader, seen *dedup.Seen, handle func(kafka.Message) (id string, do func() error, err error)) error {
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return err
		}
		id, do, err := handle(m)
		switch {
		case err != nil:
			// A real service sends it to its own dead-letter store; the example skips it.
		case seen.Add(id):
			if err := do(); err != nil {
				seen.Forget(id)
				return fmt.Errorf("handle %s: %w", id, err)
			}
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			return err
		}
	}
}
