package content

import (
	"math"
	"os"
	"strconv"
	"strings"
)

// NewUnmerged builds a Checker as New does, with an automaton whose nodes are never merged:
// the trie of every sequence the entries expand to, each entry ending at a node of its own
// (as for a trace).
func NewUnmerged(cfg Config) (*Checker, error) {
	traceInsert = func(int32, string) {}
	defer func() { traceInsert = nil }()
	return New(cfg)
}

// Nodes returns the number of nodes of the automaton.
func (c *Checker) Nodes() int { return len(c.nodes) }

// NewTrainedOn builds a Checker of the built-in lists whose models are trained as New
// trains them, on the corpora, the train_<lang>.tsv files and the evaluation batches 1 to
// last, read from testdata whether embedded or not: to score a batch with a model trained
// on the batches before it, embedded or not yet. Its models are its own.
func NewTrainedOn(last int) (*Checker, error) {
	c, err := New(Config{})
	if err != nil {
		return nil, err
	}
	comp := *c.compiled // shared with the other built-in Checkers: a copy, with its own models
	c = newChecker(&comp)
	err = c.trainModelsOn(func(lang string) ([]trainingSample, error) {
		return samplesIn(os.DirFS("."), "testdata", lang, func(base string) bool {
			rest, ok := strings.CutPrefix(base, "eval_"+lang+"_")
			if !ok {
				return true // the corpus, the train file
			}
			n, err := strconv.Atoi(strings.TrimSuffix(rest, ".tsv"))
			return err == nil && n <= last
		})
	})
	return c, err
}

// SetThresholds sets the thresholds of c's models, as probabilities: high for hate and
// sexual content (modelThreshold), low for threats and insults (modelThresholdLow), guarded
// for a threat threatGuarded holds back (modelThresholdGuarded), to score other thresholds
// on the same weights. Only for a Checker of NewTrainedOn: its models are its own. The
// weights' scale is read back from the hate and guarded thresholds the model was trained
// with (their logits times the scale, rounded), so that today's thresholds come back as
// trained and others may be a unit off, and kept for the next call.
func (c *Checker) SetThresholds(high, low, guarded float64) {
	l := logits(high, low, high, low)
	lg := math.Log(guarded / (1 - guarded))
	for _, m := range c.models {
		if m == nil {
			continue
		}
		scale, ok := modelScale[m]
		if !ok {
			// The scales that round both the hate and the guarded thresholds trained to what
			// they are: their middle.
			lh, lg := float64(modelLogit[catHate]), math.Log(modelThresholdGuarded/(1-modelThresholdGuarded))
			h, g := float64(m.threshold[catHate]), float64(m.guarded)
			lo, hi := max((h-0.5)/lh, (g-0.5)/lg), min((h+0.5)/lh, (g+0.5)/lg)
			scale = (lo + hi) / 2
			modelScale[m] = scale
		}
		for cat := range numCategories {
			m.threshold[cat] = int32(math.Round(float64(l[cat]) * scale))
		}
		m.guarded = int32(math.Round(lg * scale))
	}
}

// modelScale is the scale of the weights of the models SetThresholds has set, read back
// before it first set them.
var modelScale = map[*model]float64{}

// Thresholds returns the thresholds of c's models, by language, in fixed point: the
// thresholds by category (hate, insult, sexual, threat) and the guarded one.
func (c *Checker) Thresholds() [][numCategories + 1]int32 {
	var out [][numCategories + 1]int32
	for _, m := range c.models {
		if m == nil {
			continue
		}
		var t [numCategories + 1]int32
		copy(t[:], m.threshold[:])
		t[numCategories] = m.guarded
		out = append(out, t)
	}
	return out
}

// ModelThresholds returns the thresholds the models are trained with, as SetThresholds
// takes them.
func ModelThresholds() (high, low, guarded float64) {
	return modelThreshold, modelThresholdLow, modelThresholdGuarded
}
