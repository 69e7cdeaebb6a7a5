package content

import (
	"fmt"
	"os"
	"testing"
)

// TestMeasureListsOnly scores the newest batches with the lists alone (no model), to see
// what the model adds:
//
//	RELANCE_MEASURE=1 go test -run TestMeasureListsOnly -v ./content/
func TestMeasureListsOnly(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("set RELANCE_MEASURE=1")
	}
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	comp := *c.compiled // shared with the other built-in Checkers: a copy without models
	comp.models = nil
	c = newChecker(&comp)
	for _, lang := range []string{"en", "fr"} {
		// Every batch from the fourth on (the first with the model's era of lists), in
		// number order, so that a new batch is scored without editing this test.
		for n := 4; ; n++ {
			path := fmt.Sprintf("testdata/eval_%s_%d.tsv", lang, n)
			if _, err := os.Stat(path); err != nil {
				break
			}
			logHeldOut(t, c, path, lang)
		}
	}
}
