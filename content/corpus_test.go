package content_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
)

// Targets of the labelled corpora, for every category and language.
const (
	minPrecision = 0.95
	minRecall    = 0.90
)

var allCategories = []policy.Category{policy.CategoryHate, policy.CategoryInsult, policy.CategorySexual, policy.CategoryThreat}

// sample is one labelled message of a corpus.
type sample struct {
	line int
	want []policy.Category
	text string
}

// readCorpus reads testdata/corpus_<lang>.tsv: expected categories, a tab, the message.
func readCorpus(t testing.TB, lang string) []sample {
	t.Helper()
	return readSamples(t, filepath.Join("testdata", "corpus_"+lang+".tsv"))
}

// readSamples reads a labelled file in the corpus format.
func readSamples(t testing.TB, name string) []sample {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		labels, text, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(text) == "" {
			t.Fatalf("%s:%d: want labels <TAB> text", name, n)
		}
		s := sample{line: n, text: text}
		for l := range strings.SplitSeq(labels, ",") {
			if l = strings.TrimSpace(l); l == "" {
				continue
			}
			c := policy.Category(l)
			if !slices.Contains(allCategories, c) {
				t.Fatalf("%s:%d: unknown category %q", name, n, l)
			}
			s.want = append(s.want, c)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// score counts, for one category, what the check found against the labels.
type score struct{ tp, fp, fn int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// TestCorpusPrecisionAndRecall measures the default lists on the labelled corpora, with
// the message's locale and with none (the check then guesses the language).
func TestCorpusPrecisionAndRecall(t *testing.T) {
	c := content.Default()
	for _, lang := range []string{"fr", "en"} {
		corpus := readCorpus(t, lang)
		if len(corpus) < 300 {
			t.Errorf("corpus %s: %d messages, want at least 300", lang, len(corpus))
		}
		for _, locale := range []string{lang, ""} {
			t.Run(fmt.Sprintf("%s/locale=%q", lang, locale), func(t *testing.T) {
				scores := map[policy.Category]*score{}
				for _, cat := range allCategories {
					scores[cat] = &score{}
				}
				var misses []string
				for _, s := range corpus {
					got := check(t, c, s.text, locale)
					for _, cat := range allCategories {
						want, found := slices.Contains(s.want, cat), slices.Contains(got, cat)
						switch {
						case want && found:
							scores[cat].tp++
						case found:
							scores[cat].fp++
							misses = append(misses, fmt.Sprintf("line %d: false %s: %q", s.line, cat, s.text))
						case want:
							scores[cat].fn++
							misses = append(misses, fmt.Sprintf("line %d: missed %s: %q", s.line, cat, s.text))
						}
					}
				}
				t.Logf("%d messages, %d labelled offensive", len(corpus), countLabelled(corpus))
				t.Logf("%-8s %9s %7s %5s %4s %4s", "category", "precision", "recall", "tp", "fp", "fn")
				worstP, worstR := 1.0, 1.0
				for _, cat := range allCategories {
					s := scores[cat]
					t.Logf("%-8s %9.3f %7.3f %5d %4d %4d", cat, s.precision(), s.recall(), s.tp, s.fp, s.fn)
					worstP, worstR = min(worstP, s.precision()), min(worstR, s.recall())
					if s.precision() < minPrecision || s.recall() < minRecall {
						t.Errorf("%s: precision %.3f, recall %.3f; want at least %.2f and %.2f", cat, s.precision(), s.recall(), minPrecision, minRecall)
					}
				}
				t.Logf("summary %s locale=%q: lowest precision %.3f, lowest recall %.3f", lang, locale, worstP, worstR)
				for _, m := range misses {
					t.Log(m)
				}
			})
		}
	}
}

func countLabelled(corpus []sample) int {
	n := 0
	for _, s := range corpus {
		if len(s.want) > 0 {
			n++
		}
	}
	return n
}
