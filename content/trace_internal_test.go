package content

import (
	"os"
	"strings"
	"testing"
)

// TestTrace prints the entries that match RELANCE_TRACE's text (lines separated by "||"),
// to see why a message is flagged or not:
//
//	RELANCE_TRACE='fuck you||merde' RELANCE_TRACE_LOCALE=en go test -run TestTrace -v ./content/
func TestTrace(t *testing.T) {
	texts := os.Getenv("RELANCE_TRACE")
	if texts == "" {
		t.Skip("set RELANCE_TRACE to a text")
	}
	origins := map[int32][]string{}
	traceInsert = func(n int32, origin string) { origins[n] = append(origins[n], origin) }
	c, err := New(Config{})
	traceInsert = nil
	if err != nil {
		t.Fatal(err)
	}
	resNode := map[int32]int32{}
	for n, nd := range c.nodes {
		for i := nd.res; i < nd.res+int32(nd.nres); i++ {
			resNode[i] = int32(n)
		}
	}
	for _, text := range strings.Split(texts, "||") {
		sev := c.scan(text, os.Getenv("RELANCE_TRACE_LOCALE"))
		t.Logf("%q → %v", text, sev)
		s := c.pool.Get().(*scratch)
		s.tokenize(text)
		c.words(s)
		active := c.languages(s, os.Getenv("RELANCE_TRACE_LOCALE"))
		s.hits = s.hits[:0]
		for p, tk := range s.seq {
			if tk.w.flags&wordStarts != 0 {
				c.walk(s, 0, p, p, 0, active)
			}
		}
		for _, h := range s.hits {
			r := c.results[h.res]
			t.Logf("  [%d,%d) cat %d cleared=%v %v", h.start, h.end, r.cat, c.cleared(s, h, r.cat), origins[resNode[h.res]])
		}
	}
}
