package state

import (
	"hash/maphash"
	"sync"
)

// cache keeps the values this store wrote last, so that the next batch touching a pair
// need not read it back: the compare-and-set on write finds out when someone else wrote
// it meanwhile (or it expired, or Redis lost it), and the pair is then read and redone.
// A stale entry therefore costs a round trip, never a wrong streak.
//
// It holds at most about size values in two generations: a lookup moves a value to the
// young one, and when the young one is full the old one is dropped: an LRU's effect
// without a list to maintain.
//
// Entries are filed by a 64-bit hash of the key and hold the key itself: a lookup hashes
// the long key once and compares it once, where a map on the key would do so per map
// operation. Two keys with one hash share a slot: the later evicts the earlier.
type cache struct {
	mu         sync.Mutex
	size       int
	seed       maphash.Seed
	young, old map[uint64]cached
}

// cached is a value written and the key it was written at.
type cached struct{ key, value string }

func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	return &cache{size: size, seed: maphash.MakeSeed(), young: make(map[uint64]cached)}
}

// get returns the value last written at key, if kept.
func (c *cache) get(key string) (string, bool) {
	if c == nil {
		return "", false
	}
	h := maphash.String(c.seed, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.young[h]; ok && e.key == key {
		return e.value, true
	}
	e, ok := c.old[h]
	if !ok || e.key != key {
		return "", false
	}
	delete(c.old, h)
	c.putLocked(h, e)
	return e.value, true
}

// put keeps value as written at key.
func (c *cache) put(key, value string) {
	if c == nil {
		return
	}
	h := maphash.String(c.seed, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.old, h)
	c.putLocked(h, cached{key, value})
}

func (c *cache) putLocked(h uint64, e cached) {
	if len(c.young) >= (c.size+1)/2 {
		c.old, c.young = c.young, make(map[uint64]cached, len(c.young))
	}
	c.young[h] = e
}

// drop forgets key.
func (c *cache) drop(key string) {
	if c == nil {
		return
	}
	h := maphash.String(c.seed, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.young[h].key == key {
		delete(c.young, h)
	}
	if c.old[h].key == key {
		delete(c.old, h)
	}
}
