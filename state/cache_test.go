package state

import (
	"fmt"
	"testing"
)

// written is a record as Apply hands it to the cache after writing it.
func writtenAs(key, value string) *work { return &work{key: key, value: value} }

// lookup is what the cache holds at key, as a batch's read sees it.
func lookup(c *cache, key string) (*work, bool) {
	w := &work{key: key}
	return w, len(c.read([]*work{w})) == 0
}

func TestCacheKeepsRecentValuesWithinItsSize(t *testing.T) {
	c := newCache(10)
	for i := range 100 {
		c.keep([]*work{writtenAs(fmt.Sprint(i), fmt.Sprint("v", i))})
		if n := len(c.young) + len(c.old); n > 10 {
			t.Fatalf("after %d writes: %d values kept, want at most 10", i+1, n)
		}
	}
	if w, ok := lookup(c, "99"); !ok || w.read != "v99" || !w.exists {
		t.Fatalf("newest value: %q, %v", w.read, ok)
	}
	if _, ok := lookup(c, "0"); ok {
		t.Fatal("oldest value still kept")
	}
	// A value read often stays, however many others come and go.
	for i := 100; i < 200; i++ {
		c.keep([]*work{writtenAs(fmt.Sprint(i), "x")})
		if _, ok := lookup(c, "99"); !ok {
			t.Fatalf("value in use dropped after write %d", i)
		}
	}
	// A record read from the cache and written again replaces its value in place.
	w, _ := lookup(c, "99")
	w.value = "new"
	c.keep([]*work{w})
	if again, _ := lookup(c, "99"); again.read != "new" {
		t.Fatalf("after a write: %q", again.read)
	}
	// Another batch forgets the record (its write met another writer's) while this one
	// holds its entry: this batch's write does not bring it back.
	w, _ = lookup(c, "99")
	c.forget([]*work{{key: "99"}})
	if _, ok := lookup(c, "99"); ok {
		t.Fatal("forgotten value still kept")
	}
	w.value = "newer"
	c.keep([]*work{w})
	if _, ok := lookup(c, "99"); ok {
		t.Fatal("a record forgotten meanwhile came back")
	}
	var none *cache = newCache(0)
	none.keep([]*work{writtenAs("a", "b")})
	if missed := none.read([]*work{{key: "a"}}); len(missed) != 1 {
		t.Fatal("a disabled cache kept a value")
	}
}

// An entry the cache evicted between a batch's read and its write is not brought back
// through the batch's pointer to it; the next read misses, and reads Redis.
func TestCacheEvictsEntriesHeldByABatch(t *testing.T) {
	c := newCache(4)
	c.keep([]*work{writtenAs("held", "v1")})
	w, _ := lookup(c, "held")
	for i := range 10 {
		c.keep([]*work{writtenAs(fmt.Sprint(i), "x")})
	}
	w.value = "v2"
	c.keep([]*work{w})
	if _, ok := lookup(c, "held"); ok {
		t.Fatal("an evicted entry came back")
	}
}
