package content

import (
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
		for _, n := range []string{"4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17"} {
			logHeldOut(t, c, "testdata/eval_"+lang+"_"+n+".tsv", lang)
		}
	}
}
