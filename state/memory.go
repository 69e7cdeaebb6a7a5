package state

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/relance/relance/policy"
)

// Memory is a store that keeps its records in the process: the same kinds of record, keys
// and values as Redis, and the same algorithm, with nothing shared and nothing persisted.
// It is for tools that replay traffic and for tests of the rules without a Redis server.
// Keys never expire, unless Config.ExpireInEventTime. It is safe for concurrent use.
type Memory struct {
	core
	mu     sync.Mutex
	values map[string]string
	expiry *expiry // nil: keys never expire
}

// NewMemory is an empty in-memory store deciding with pol's numbers.
func NewMemory(pol *policy.Policy, cfg Config, opts ...Option) (*Memory, error) {
	c, cfg, err := newCore(pol, cfg, opts)
	if err != nil {
		return nil, err
	}
	m := &Memory{core: c, values: make(map[string]string)}
	if cfg.ExpireInEventTime {
		m.expiry = newExpiry((pol.Window() + cfg.TTLMargin).Milliseconds())
	}
	return m, nil
}

// Len is the number of keys the store holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.values)
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
	if m.expiry != nil {
		m.expiry.advance(obs, skip, m.values)
	}
	var s scratch
	for _, k := range m.kinds {
		for _, w := range k.group(obs, skip, results) {
			v, ok := m.values[w.key]
			w.setRead(v, ok)
			if err := m.compute(k, w, obs, results, &s); err != nil {
				return nil, err
			}
			m.values[w.key] = w.value
			if m.expiry != nil {
				m.expiry.written(w.key)
			}
		}
	}
	return results, nil
}

// expiry expires a Memory store's keys ttl after their last write, in event time: the
// clock is the newest event time applied (now). Keys are filed by the hour of their last
// write, so that expiring costs one look per write, never a scan of every key.
type expiry struct {
	ttl, now int64 // ms
	last     map[string]int64
	byHour   map[int64][]string
	oldest   int64 // the oldest hour byHour may hold
}

const hourMs = int64(time.Hour / time.Millisecond)

func newExpiry(ttl int64) *expiry {
	return &expiry{ttl: ttl, now: math.MinInt64, last: map[string]int64{}, byHour: map[int64][]string{}}
}

// advance moves the clock to the newest event time of obs (never back) and deletes from
// values the keys last written more than ttl before it.
func (e *expiry) advance(obs []policy.Observation, skip []bool, values map[string]string) {
	for i, o := range obs {
		if skip == nil || !skip[i] {
			e.now = max(e.now, o.SentAt.UnixMilli())
		}
	}
	if len(e.byHour) == 0 {
		return
	}
	cutoff := e.now - e.ttl // a key last written at or before it has expired
	for ; e.oldest <= cutoff/hourMs && len(e.byHour) > 0; e.oldest++ {
		h := e.oldest
		keys := e.byHour[h]
		delete(e.byHour, h)
		if h == cutoff/hourMs { // the hour the cutoff falls in: only part of it has expired
			var keep []string
			for _, k := range keys {
				switch t, ok := e.last[k]; {
				case !ok || t/hourMs != h: // written again since, filed under a later hour
				case t > cutoff:
					keep = append(keep, k)
				default:
					delete(e.last, k)
					delete(values, k)
				}
			}
			if keep != nil {
				e.byHour[h] = keep
			}
			return
		}
		for _, k := range keys {
			if t, ok := e.last[k]; ok && t/hourMs == h { // not written again since
				delete(e.last, k)
				delete(values, k)
			}
		}
	}
}

// written records that key was written now.
func (e *expiry) written(key string) {
	h := e.now / hourMs
	if t, ok := e.last[key]; ok && t/hourMs == h {
		e.last[key] = e.now // already filed under this hour
		return
	}
	if len(e.byHour) == 0 || h < e.oldest {
		e.oldest = h
	}
	e.last[key] = e.now
	e.byHour[h] = append(e.byHour[h], key)
}
