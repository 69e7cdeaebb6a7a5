package content_test

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
)

// evalScores is what the check found on one labelled file: per category, and for "any
// offensive" (a message with a label found with any category, a clean one found with none).
type evalScores struct {
	n, offensive int
	cat          map[policy.Category]*score
	any          score
	misses       []string
}

// scoreFile checks every message of a labelled file with the given locale.
func scoreFile(t testing.TB, c *content.Checker, name, locale string) evalScores {
	t.Helper()
	es := evalScores{cat: map[policy.Category]*score{}}
	for _, cat := range allCategories {
		es.cat[cat] = &score{}
	}
	for _, s := range readSamples(t, name) {
		got := check(t, c, s.text, locale)
		es.n++
		if len(s.want) > 0 {
			es.offensive++
		}
		switch {
		case len(s.want) > 0 && len(got) > 0:
			es.any.tp++
		case len(got) > 0:
			es.any.fp++
		case len(s.want) > 0:
			es.any.fn++
		}
		for _, cat := range allCategories {
			want, found := slices.Contains(s.want, cat), slices.Contains(got, cat)
			switch {
			case want && found:
				es.cat[cat].tp++
			case found:
				es.cat[cat].fp++
				es.misses = append(es.misses, fmt.Sprintf("line %d: false %s: %q", s.line, cat, s.text))
			case want:
				es.cat[cat].fn++
				es.misses = append(es.misses, fmt.Sprintf("line %d: missed %s: %q", s.line, cat, s.text))
			}
		}
	}
	return es
}

func (es evalScores) log(t testing.TB, title string) {
	t.Helper()
	t.Logf("%s: %d messages, %d labelled offensive", title, es.n, es.offensive)
	t.Logf("  %-8s %9s %7s %5s %4s %4s", "category", "precision", "recall", "tp", "fp", "fn")
	for _, cat := range allCategories {
		s := es.cat[cat]
		t.Logf("  %-8s %9.3f %7.3f %5d %4d %4d", cat, s.precision(), s.recall(), s.tp, s.fp, s.fn)
	}
	t.Logf("  %-8s %9.3f %7.3f %5d %4d %4d", "any", es.any.precision(), es.any.recall(), es.any.tp, es.any.fp, es.any.fn)
}

// evalFiles returns the evaluation batches of a language, in order.
func evalFiles(t testing.TB, lang string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "eval_"+lang+"_*.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// TestMeasureEval prints the scores of every evaluation batch, and with
// RELANCE_EVAL_MISSES=1 every miss and false finding. It asserts nothing:
//
//	go test -run TestMeasureEval -v ./content/
func TestMeasureEval(t *testing.T) {
	c := content.Default()
	for _, lang := range []string{"en", "fr"} {
		for _, name := range evalFiles(t, lang) {
			es := scoreFile(t, c, name, lang)
			es.log(t, filepath.Base(name))
			if os.Getenv("RELANCE_EVAL_MISSES") != "" {
				for _, m := range es.misses {
					t.Log("  " + m)
				}
			}
		}
	}
}

// evalFloor is what an evaluation batch must keep scoring: "any offensive" precision and
// recall, and the lowest precision and recall of a category. The floors sit a little
// below the figures measured when they were set (the pre-tuning figures are in doc.go),
// so that a change of the lists or the matcher that loses ground fails here.
type evalFloor struct{ anyP, anyR, catP, catR float64 }

var evalFloors = map[string]evalFloor{
	// Batches 1 to 8: the lists were tuned on them and the model trained on them.
	"eval_en_1.tsv": {0.98, 0.98, 0.97, 0.97},
	"eval_fr_1.tsv": {0.98, 0.98, 0.96, 0.96},
	"eval_en_2.tsv": {0.98, 0.97, 0.95, 0.95},
	"eval_fr_2.tsv": {0.98, 0.97, 0.97, 0.94},
	"eval_en_3.tsv": {0.98, 0.98, 0.97, 0.97},
	"eval_fr_3.tsv": {0.98, 0.97, 0.97, 0.93},
	"eval_en_4.tsv": {0.96, 0.97, 0.89, 0.90},
	"eval_fr_4.tsv": {0.96, 0.97, 0.91, 0.97},
	"eval_en_5.tsv": {0.98, 0.98, 0.86, 0.93},
	"eval_fr_5.tsv": {0.98, 0.98, 0.94, 0.94},
	"eval_en_6.tsv": {0.98, 0.98, 0.95, 0.97},
	"eval_fr_6.tsv": {0.98, 0.98, 0.95, 0.97},
	"eval_en_7.tsv": {0.98, 0.98, 0.91, 0.94},
	"eval_fr_7.tsv": {0.98, 0.98, 0.95, 0.95},
	"eval_en_8.tsv": {0.98, 0.97, 0.91, 0.95},
	"eval_fr_8.tsv": {0.98, 0.98, 0.91, 0.98},
	// Batch 9: the lists were tuned on it and the model trained on it after its score.
	"eval_en_9.tsv": {0.96, 0.85, 0.87, 0.64},
	"eval_fr_9.tsv": {0.98, 0.84, 0.91, 0.61},
	// Batch 10: the lists were tuned on it and the model trained on it after its score.
	"eval_en_10.tsv": {0.96, 0.96, 0.92, 0.92},
	"eval_fr_10.tsv": {0.98, 0.98, 0.96, 0.88},
	// Batch 11: the lists were tuned on it and the model trained on it after its score.
	"eval_en_11.tsv": {0.97, 0.98, 0.95, 0.97},
	"eval_fr_11.tsv": {0.96, 0.96, 0.90, 0.90},
	// Batch 12: the lists were tuned on it and the model trained on it after its score.
	"eval_en_12.tsv": {0.98, 0.98, 0.93, 0.93},
	"eval_fr_12.tsv": {0.98, 0.98, 0.93, 0.93},
	// Batch 13: the lists were tuned on it and the model trained on it after its score.
	"eval_en_13.tsv": {0.96, 0.97, 0.92, 0.90},
	"eval_fr_13.tsv": {0.98, 0.97, 0.94, 0.90},
	// Batch 14: the lists were tuned on it and the model trained on it after its score.
	"eval_en_14.tsv": {0.98, 0.96, 0.89, 0.94},
	"eval_fr_14.tsv": {0.98, 0.97, 0.93, 0.94},
	// Batch 15: the lists were tuned on it and the model trained on it after its score.
	"eval_en_15.tsv": {0.98, 0.98, 0.93, 0.95},
	"eval_fr_15.tsv": {0.98, 0.98, 0.93, 0.95},
	// Batch 16: the lists were tuned on it and the model trained on it after its score.
	"eval_en_16.tsv": {0.98, 0.97, 0.97, 0.94},
	"eval_fr_16.tsv": {0.98, 0.98, 0.94, 0.97},
	// Batches 17 and 18: the lists were tuned on them after their score (the sixteenth pass),
	// the model not trained on them.
	"eval_en_17.tsv": {0.98, 0.92, 0.94, 0.83},
	"eval_fr_17.tsv": {0.98, 0.94, 0.96, 0.88},
	"eval_en_18.tsv": {0.98, 0.96, 0.97, 0.89},
	"eval_fr_18.tsv": {0.97, 0.96, 0.95, 0.90},
	// Batches 19 and 20: the lists were tuned on them after their score (the seventeenth and
	// eighteenth passes), the model not trained on them.
	"eval_en_19.tsv": {0.96, 0.93, 0.94, 0.84},
	"eval_fr_19.tsv": {0.98, 0.87, 0.94, 0.81},
	"eval_en_20.tsv": {0.96, 0.94, 0.88, 0.85},
	"eval_fr_20.tsv": {0.97, 0.92, 0.91, 0.85},
	// Batch 21: the lists were tuned on it after its score (the nineteenth pass). Batches
	// 17 to 23 were read to choose the guard of the model's threats in the future tense
	// (threatGuarded), which raised the precision of 20 to 23.
	"eval_en_21.tsv": {0.89, 0.88, 0.81, 0.74},
	"eval_fr_21.tsv": {0.89, 0.89, 0.82, 0.82},
	// Batch 22: its lists not tuned on it, nor the model trained on it; pre-tuning score
	// 0.91/0.96 and 0.95/0.91, raised by the guard.
	"eval_en_22.tsv": {0.91, 0.94, 0.86, 0.84},
	"eval_fr_22.tsv": {0.95, 0.89, 0.88, 0.82},
	// Batch 23: the guard and the twentieth pass were tuned on it after its score
	// (pre-tuning in doc.go: 0.71/0.93 and 0.73/0.90).
	"eval_en_23.tsv": {0.88, 0.93, 0.76, 0.80},
	"eval_fr_23.tsv": {0.87, 0.88, 0.73, 0.80},
	// Batch 24: the twenty-first pass was tuned on it after its score, the model not trained
	// on it; the floors are its pre-tuning score (doc.go: 0.86/0.83 and 0.87/0.79).
	"eval_en_24.tsv": {0.85, 0.82, 0.69, 0.63},
	"eval_fr_24.tsv": {0.86, 0.79, 0.70, 0.59},
	// Batch 25: no pass tuned on it; the model has been trained on it (with batches 17 to
	// 24) since batch 26. The floors sit just under its pre-tuning score (doc.go: 0.90/0.83
	// and 0.90/0.78).
	"eval_en_25.tsv": {0.90, 0.82, 0.83, 0.67},
	"eval_fr_25.tsv": {0.89, 0.78, 0.79, 0.63},
	// Batch 26: the twenty-second pass was tuned on it and the model trained on it after its
	// score; the floors sit just under its pre-tuning score (doc.go: 0.91/0.86 and
	// 0.92/0.90).
	"eval_en_26.tsv": {0.90, 0.86, 0.81, 0.67},
	"eval_fr_26.tsv": {0.91, 0.90, 0.84, 0.73},
	// Batch 27: the twenty-third pass was tuned on it and the model trained on it after its
	// score; the floors sit
	// just under its pre-tuning score (doc.go: 0.93/0.87 and 0.91/0.92), but English
	// threat precision's, 0.83 then: the follow-ups the model was trained on since (so that
	// "pourquoi tu ne réponds pas ?" is no threat) cost it one threat found and one false
	// (0.81).
	"eval_en_27.tsv": {0.92, 0.86, 0.80, 0.76},
	"eval_fr_27.tsv": {0.90, 0.92, 0.74, 0.85},
	// Batch 28: neither the lists tuned on it nor the model trained on it; the floors sit
	// just under its pre-tuning score (doc.go: 0.92/0.84 and 0.91/0.85).
	"eval_en_28.tsv": {0.91, 0.84, 0.84, 0.82},
	"eval_fr_28.tsv": {0.90, 0.84, 0.77, 0.80},
}

// TestEvalFloors holds every evaluation batch to its floors, with the message's locale.
func TestEvalFloors(t *testing.T) {
	c := content.Default()
	for _, lang := range []string{"en", "fr"} {
		for _, name := range evalFiles(t, lang) {
			base := filepath.Base(name)
			t.Run(base, func(t *testing.T) {
				f, ok := evalFloors[base]
				if !ok {
					t.Fatalf("no floors for %s: score it (TestMeasureEval), record its pre-tuning figures in doc.go, then set its floors here", base)
				}
				es := scoreFile(t, c, name, lang)
				catP, catR := 1.0, 1.0
				for _, cat := range allCategories {
					catP, catR = min(catP, es.cat[cat].precision()), min(catR, es.cat[cat].recall())
				}
				got := evalFloor{es.any.precision(), es.any.recall(), catP, catR}
				if got.anyP < f.anyP || got.anyR < f.anyR || got.catP < f.catP || got.catR < f.catR {
					es.log(t, base)
					t.Errorf("%s: any offensive precision %.3f recall %.3f, lowest category precision %.3f recall %.3f; want at least %.2f, %.2f, %.2f, %.2f",
						base, got.anyP, got.anyR, got.catP, got.catR, f.anyP, f.anyR, f.catP, f.catR)
				}
			})
		}
	}
}

// TestMeasureTraining scores each batch from the eighteenth on with models trained on
// batches 1 to 16 and on every batch before it (the lists as they are for both), to see
// what training on scored batches adds on text the model was not trained on (the lists
// were tuned on every batch but the newest, so its line is the one on unseen text). It
// asserts nothing:
//
//	RELANCE_MEASURE=1 go test -run TestMeasureTraining -v ./content/
func TestMeasureTraining(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("set RELANCE_MEASURE=1 to train two models per batch scored")
	}
	last := len(evalFiles(t, "en"))
	trained := map[int]*content.Checker{}
	trainedOn := func(n int) *content.Checker {
		if trained[n] == nil {
			c, err := content.NewTrainedOn(n)
			if err != nil {
				t.Fatal(err)
			}
			trained[n] = c
		}
		return trained[n]
	}
	for held := last; held >= 18; held-- {
		for _, lang := range []string{"en", "fr"} {
			name := filepath.Join("testdata", fmt.Sprintf("eval_%s_%d.tsv", lang, held))
			for _, n := range []int{16, held - 1} {
				es := scoreFile(t, trainedOn(n), name, lang)
				line := fmt.Sprintf("%s, trained on 1–%d: any %.3f/%.3f (fp %d, fn %d)",
					filepath.Base(name), n, es.any.precision(), es.any.recall(), es.any.fp, es.any.fn)
				for _, cat := range allCategories {
					s := es.cat[cat]
					line += fmt.Sprintf(", %s %.2f/%.2f", cat, s.precision(), s.recall())
				}
				t.Log(line)
			}
		}
	}
}

// tally sums the scores of several batches: "any offensive" and by category (in the order
// of allCategories).
type tally struct {
	any score
	cat [4]score
}

func (t *tally) add(es evalScores) {
	t.any.tp, t.any.fp, t.any.fn = t.any.tp+es.any.tp, t.any.fp+es.any.fp, t.any.fn+es.any.fn
	for i, cat := range allCategories {
		s := es.cat[cat]
		t.cat[i].tp, t.cat[i].fp, t.cat[i].fn = t.cat[i].tp+s.tp, t.cat[i].fp+s.fp, t.cat[i].fn+s.fn
	}
}

func (t *tally) plus(u tally) tally {
	v := *t
	v.any = score{v.any.tp + u.any.tp, v.any.fp + u.any.fp, v.any.fn + u.any.fn}
	for i := range v.cat {
		v.cat[i] = score{v.cat[i].tp + u.cat[i].tp, v.cat[i].fp + u.cat[i].fp, v.cat[i].fn + u.cat[i].fn}
	}
	return v
}

func (t tally) String() string {
	line := fmt.Sprintf("any %.3f/%.3f (tp %d, fp %d, fn %d)", t.any.precision(), t.any.recall(), t.any.tp, t.any.fp, t.any.fn)
	for i, cat := range allCategories {
		line += fmt.Sprintf(", %s %.3f/%.3f", cat, t.cat[i].precision(), t.cat[i].recall())
	}
	return line
}

// TestMeasureThresholds chooses the model's thresholds by a held-out protocol: each batch
// n from 18 to 25 is scored with models trained on batches 1 to n-1 (the lists as they
// are), for each candidate of a grid (threats and insults, hate and sexual content, the
// guarded threats), the scores summed over the batches and both languages. The candidate
// chosen has the highest "any offensive" recall among those whose pooled precision is at
// least that of the models trained on batches 1 to 16 with the thresholds chosen for them
// (0.5 for threats and insults, 0.8 for hate and sexual content, 0.97 guarded). It asserts
// nothing:
//
//	RELANCE_MEASURE=1 go test -run TestMeasureThresholds -v ./content/
func TestMeasureThresholds(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("set RELANCE_MEASURE=1 to train a model per batch scored")
	}
	type candidate struct{ low, high, guarded float64 }
	var grid []candidate
	for _, low := range []float64{0.30, 0.35, 0.40, 0.45, 0.50} {
		for _, high := range []float64{0.6, 0.7, 0.8} {
			for _, guarded := range []float64{0.90, 0.95, 0.97} {
				grid = append(grid, candidate{low, high, guarded})
			}
		}
	}
	langs := []string{"en", "fr"}
	// By language: the models of 1 to 16 and of 1 to n-1 with today's thresholds, and by
	// candidate.
	base16, baseN := map[string]*tally{}, map[string]*tally{}
	byCand := make([]map[string]*tally, len(grid))
	for _, lang := range langs {
		base16[lang], baseN[lang] = &tally{}, &tally{}
	}
	for i := range byCand {
		byCand[i] = map[string]*tally{"en": {}, "fr": {}}
	}
	c16, err := content.NewTrainedOn(16)
	if err != nil {
		t.Fatal(err)
	}
	c16.SetThresholds(0.8, 0.5, 0.97) // today's, whatever the models are trained with
	for n := 18; n <= 25; n++ {
		cn, err := content.NewTrainedOn(n - 1)
		if err != nil {
			t.Fatal(err)
		}
		trained := cn.Thresholds()
		if cn.SetThresholds(content.ModelThresholds()); !slices.Equal(cn.Thresholds(), trained) {
			t.Fatalf("batch %d: SetThresholds of the thresholds trained gives %v, trained %v", n, cn.Thresholds(), trained)
		}
		cn.SetThresholds(0.8, 0.5, 0.97)
		for _, lang := range langs {
			name := filepath.Join("testdata", fmt.Sprintf("eval_%s_%d.tsv", lang, n))
			base16[lang].add(scoreFile(t, c16, name, lang))
			baseN[lang].add(scoreFile(t, cn, name, lang))
			for i, cand := range grid {
				cn.SetThresholds(cand.high, cand.low, cand.guarded)
				byCand[i][lang].add(scoreFile(t, cn, name, lang))
			}
		}
	}
	for _, b := range []struct {
		title string
		by    map[string]*tally
	}{{"trained on 1–16, 0.50/0.8/0.97 (today's default)", base16}, {"trained on 1–(n-1), 0.50/0.8/0.97", baseN}} {
		t.Logf("%s:", b.title)
		t.Logf("  pooled: %v", b.by["en"].plus(*b.by["fr"]))
		for _, lang := range langs {
			t.Logf("  %s:     %v", lang, b.by[lang])
		}
	}
	floor := base16["en"].plus(*base16["fr"]).any.precision()
	order := make([]int, len(grid))
	for i := range order {
		order[i] = i
	}
	pooled := func(i int) tally { return byCand[i]["en"].plus(*byCand[i]["fr"]) }
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := pooled(a), pooled(b)
		if ra, rb := pa.any.recall(), pb.any.recall(); ra != rb {
			return cmp.Compare(rb, ra)
		}
		return cmp.Compare(pb.any.precision(), pa.any.precision())
	})
	t.Logf("candidates (low/high/guarded), by pooled recall; * pooled precision at least %.4f:", floor)
	for _, i := range order {
		p := pooled(i)
		mark := " "
		if p.any.precision() >= floor {
			mark = "*"
		}
		t.Logf("%s %.2f/%.1f/%.2f pooled %v", mark, grid[i].low, grid[i].high, grid[i].guarded, p)
		t.Logf("      en %v", byCand[i]["en"])
		t.Logf("      fr %v", byCand[i]["fr"])
	}
	for _, i := range order {
		if pooled(i).any.precision() >= floor {
			t.Logf("chosen: %.2f/%.1f/%.2f: %v", grid[i].low, grid[i].high, grid[i].guarded, pooled(i))
			break
		}
	}
}
