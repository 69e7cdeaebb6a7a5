package state

import "sync"

// cache keeps the values this store wrote last, so that the next batch touching a pair
// need not read it back: the compare-and-set on write finds out when someone else wrote
// it meanwhile (or it expired, or Redis lost it), and the pair is then read and redone.
// A stale entry therefore costs a round trip, never a wrong streak.
//
// It holds at most about size values in two generations: a lookup moves a value to the
// young one, and when the young one is full the old one is dropped: an LRU's effect
// without a list to maintain.
type cache struct {
	mu         sync.Mutex
	size       int
	young, old map[string]string // key → value written
}

func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	return &cache{size: size, young: make(map[string]string)}
}

// get returns the value last written at key, if kept.
func (c *cache) get(key string) (string, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.young[key]; ok {
		return v, true
	}
	v, ok := c.old[key]
	if ok {
		delete(c.old, key)
		c.putLocked(key, v)
	}
	return v, ok
}

// put keeps value as written at key.
func (c *cache) put(key, value string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.old, key)
	c.putLocked(key, value)
}

func (c *cache) putLocked(key, value string) {
	if _, ok := c.young[key]; !ok && len(c.young) >= (c.size+1)/2 {
		c.old, c.young = c.young, make(map[string]string, len(c.young))
	}
	c.young[key] = value
}

// drop forgets key.
func (c *cache) drop(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.young, key)
	delete(c.old, key)
}
