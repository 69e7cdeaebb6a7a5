package content

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestMeasureHeldOut trains the model without one evaluation batch and scores that batch,
// for each batch the model trains on: for a batch written after the last change of the
// lists, that is the score of the whole check on text it never saw.
//
//	RELANCE_MEASURE=1 go test -run TestMeasureHeldOut -v ./content/
func TestMeasureHeldOut(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("set RELANCE_MEASURE=1 to train one model per held-out batch")
	}
	names, _ := filepath.Glob("testdata/eval_*_*.tsv")
	slices.Sort(names)
	for _, name := range names {
		base := filepath.Base(name)
		if data, _ := trainingData.ReadFile("testdata/" + base); data == nil {
			continue // not trained on
		}
		heldOut = base
		c, err := New(Config{})
		heldOut = ""
		if err != nil {
			t.Fatal(err)
		}
		lang := strings.Split(strings.TrimPrefix(base, "eval_"), "_")[0]
		logHeldOut(t, c, name, lang)
	}
}

func logHeldOut(t *testing.T, c *Checker, name, lang string) {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tp, fp, fn [numCategories + 1]int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		labels, text, _ := strings.Cut(line, "\t")
		var want uint8
		for l := range strings.SplitSeq(labels, ",") {
			if cat, err := parseCategory(strings.TrimSpace(l)); err == nil {
				want |= 1 << cat
			}
		}
		var got uint8
		for i, s := range c.scan(text, lang) {
			if s != 0 {
				got |= 1 << i
			}
		}
		for cat := range numCategories + 1 {
			w, g := want>>cat&1 != 0, got>>cat&1 != 0
			if cat == numCategories {
				w, g = want != 0, got != 0
			}
			switch {
			case w && g:
				tp[cat]++
			case g:
				fp[cat]++
			case w:
				fn[cat]++
			}
		}
	}
	line := filepath.Base(name) + " held out:"
	for cat := range numCategories + 1 {
		p, r := ratio(tp[cat], tp[cat]+fp[cat]), ratio(tp[cat], tp[cat]+fn[cat])
		label := "any"
		if cat < numCategories {
			label = string(categories[cat])
		}
		line += " " + label + " " + fmtF(p) + "/" + fmtF(r)
	}
	t.Log(line)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
