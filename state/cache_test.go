package state

import (
	"fmt"
	"testing"
)

func TestCacheKeepsRecentValuesWithinItsSize(t *testing.T) {
	c := newCache(10)
	for i := range 100 {
		c.put(fmt.Sprint(i), fmt.Sprint("v", i))
		if n := len(c.young) + len(c.old); n > 10 {
			t.Fatalf("after %d puts: %d values kept, want at most 10", i+1, n)
		}
	}
	if v, ok := c.get("99"); !ok || v != "v99" {
		t.Fatalf("newest value: %q, %v", v, ok)
	}
	if _, ok := c.get("0"); ok {
		t.Fatal("oldest value still kept")
	}
	// A value read often stays, however many others come and go.
	for i := 100; i < 200; i++ {
		c.put(fmt.Sprint(i), "x")
		if _, ok := c.get("99"); !ok {
			t.Fatalf("value in use dropped after put %d", i)
		}
	}
	c.put("99", "new")
	if v, _ := c.get("99"); v != "new" {
		t.Fatalf("after put: %q", v)
	}
	c.drop("99")
	if _, ok := c.get("99"); ok {
		t.Fatal("dropped value still kept")
	}
	var none *cache = newCache(0)
	none.put("a", "b")
	if _, ok := none.get("a"); ok {
		t.Fatal("a disabled cache kept a value")
	}
}
