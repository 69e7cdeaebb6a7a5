package content

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMeasureMemory reports the time it takes to compile the built-in lists and train the
// models, what that allocates, the heap they hold once built, and the share of each part
// of the compiled lists (the heap freed when it is dropped). It asserts nothing:
//
//	RELANCE_MEASURE=1 go test -run TestMeasureMemory -v ./content/
func TestMeasureMemory(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("set RELANCE_MEASURE=1 to measure the compiled lists' heap")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	c, err := build(Config{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	mallocs := after.Mallocs - before.Mallocs
	runtime.GC()
	runtime.ReadMemStats(&after)
	live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("compile and train: %v, %.1f MiB allocated in %d allocations; %.2f MiB live (HeapInuse %+.2f MiB)",
		took.Round(time.Millisecond), mib(allocated), mallocs, mib(live), mib(int64(after.HeapInuse)-int64(before.HeapInuse)))
	t.Logf("%d words, %d nodes, %d word edges, %d class edges, %d results", len(c.infos), len(c.nodes), len(c.wordEdges), len(c.classEdges), len(c.results))

	parts := []struct {
		name string
		drop func()
	}{
		{"models", func() { c.models = nil }},
		{"word ids", func() { c.ids = nil }},
		{"skeleton ids", func() { c.skelIDs = nil }},
		{"words by length", func() { c.byLen = nil }},
		{"word infos", func() { c.infos = nil }},
		{"nodes", func() { c.nodes = nil }},
		{"word edges", func() { c.wordEdges = nil }},
		{"root edges", func() { c.rootChild, c.rootByClass = nil, nil }},
		{"class edges", func() { c.classEdges = nil }},
		{"results", func() { c.results = nil }},
	}
	for _, p := range parts {
		runtime.GC()
		runtime.ReadMemStats(&before)
		p.drop()
		runtime.GC()
		runtime.ReadMemStats(&after)
		t.Logf("  %-16s %6.2f MiB", p.name, mib(int64(before.HeapAlloc)-int64(after.HeapAlloc)))
	}
	runtime.KeepAlive(c)
}

func mib[T int64 | uint64](n T) float64 { return float64(n) / (1 << 20) }
