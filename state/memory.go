package state

import (
	"context"
	"sync"

	"github.com/relance/relance/policy"
)

// Memory is a store that keeps its records in the process: the same kinds of record, keys
// and values as Redis, and the same algorithm, with nothing shared and nothing persisted.
// It is for tools that replay traffic and for tests of the rules without a Redis server.
// Keys never expire. It is safe for concurrent use.
type Memory struct {
	core
	mu     sync.Mutex
	values map[string]string
}

// NewMemory is an empty in-memory store deciding with pol's numbers.
func NewMemory(pol *policy.Policy, cfg Config, opts ...Option) (*Memory, error) {
	c, _, err := newCore(pol, cfg, opts)
	if err != nil {
		return nil, err
	}
	return &Memory{core: c, values: make(map[string]string)}, nil
}

// Apply records obs in order and returns one Result per observation, like Redis.Apply.
func (m *Memory) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	results := make([]policy.Result, len(obs))
	skip := validate(obs, results)
	m.mu.Lock()
	defer m.mu.Unlock()
	var scratch []byte
	for _, k := range m.kinds {
		for _, w := range k.group(obs, skip, results) {
			v, ok := m.values[w.key]
			w.setRead(v, ok)
			if err := m.compute(k, w, obs, results, &scratch); err != nil {
				return nil, err
			}
			m.values[w.key] = w.value
		}
	}
	return results, nil
}
