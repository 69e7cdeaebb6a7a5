package processor

import (
	"context"

	"github.com/relance/relance/policy"
)

// Store keeps the per-pair streaks. Apply records a whole batch of observations in one
// round trip, atomically per observation, and returns one Streak per observation in order.
type Store interface {
	Apply(ctx context.Context, obs []policy.Observation) ([]policy.Streak, error)
	Ping(ctx context.Context) error
}
