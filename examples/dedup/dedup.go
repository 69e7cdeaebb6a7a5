// Package dedup remembers the ids a consumer has already handled, so that it can drop the
// duplicates an at-least-once producer such as relance sends after a crash or a rebalance.
package dedup

import "sync"

// Seen remembers the last Size ids added, forgetting the oldest first. Duplicates from
// relance arrive close together (a batch redone after a crash), so a window of ids suffices
// for in-memory use; a service that must never show a nudge twice across its own restarts
// keeps the ids in its database instead (a unique key on nudge_id). Safe for concurrent use.
type Seen struct {
	mu    sync.Mutex
	size  int
	ids   map[string]struct{}
	order []string // ring buffer of ids, oldest at next
	next  int
}

// New returns a Seen remembering up to size ids (at least 1).
func New(size int) *Seen {
	size = max(size, 1)
	return &Seen{size: size, ids: make(map[string]struct{}, size), order: make([]string, 0, size)}
}

// Add records id and reports whether it is new: false means a duplicate to drop.
func (s *Seen) Add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if len(s.order) < s.size {
		s.order = append(s.order, id)
	} else {
		delete(s.ids, s.order[s.next])
		s.order[s.next] = id
		s.next = (s.next + 1) % s.size
	}
	s.ids[id] = struct{}{}
	return true
}

// Forget removes id, for a consumer whose handling of it failed and that wants the
// redelivery handled.
func (s *Seen) Forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, id) // its slot in order is reused in turn
}
