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
	young, old map[string]*cached // key → value written
}

// cached is one value kept. A record found in the cache keeps its entry (work.cached), so
// that the value written after it replaces the entry's without looking the key up again.
// An entry the cache dropped meanwhile is no longer in either map: setting it is harmless.
type cached struct{ value string }

func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	return &cache{size: size, young: make(map[string]*cached)}
}

// read sets the value of each record of ws the cache holds, and returns the others.
func (c *cache) read(ws []*work) (missed []*work) {
	if c == nil {
		return ws
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range ws {
		e := c.getLocked(w.key)
		if e == nil {
			missed = append(missed, w)
			continue
		}
		w.setRead(e.value, true)
		w.cached = e
	}
	return missed
}

// keep keeps the value each record of ws was written with.
func (c *cache) keep(ws []*work) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range ws {
		if w.cached != nil {
			w.cached.value = w.value
			continue
		}
		delete(c.old, w.key)
		c.putLocked(w.key, &cached{value: w.value})
	}
}

// forget drops the records of ws.
func (c *cache) forget(ws []*work) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range ws {
		delete(c.young, w.key)
		delete(c.old, w.key)
		w.cached = nil
	}
}

func (c *cache) getLocked(key string) *cached {
	if e, ok := c.young[key]; ok {
		return e
	}
	e, ok := c.old[key]
	if ok {
		delete(c.old, key)
		c.putLocked(key, e)
	}
	return e
}

func (c *cache) putLocked(key string, e *cached) {
	if _, ok := c.young[key]; !ok && len(c.young) >= (c.size+1)/2 {
		c.old, c.young = c.young, make(map[string]*cached, len(c.young))
	}
	c.young[key] = e
}
