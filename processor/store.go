package processor

import (
	"context"

	"github.com/relance/relance/policy"
)

// Store keeps the streaks. Apply records a whole batch of observations in a few round
// trips, in order, and returns one Result per observation, in order. An observation it
// cannot record gets a Result whose Invalid says why (its event is dead-lettered); an error
// means nothing can be said of the batch, which is retried.
type Store interface {
	Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error)
}
