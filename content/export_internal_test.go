package content

import (
	"os"
	"path/filepath"
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
	// The files in the order trainingSamples reads them (the same order, the same model).
	names, err := filepath.Glob("testdata/*.tsv")
	if err != nil {
		return nil, err
	}
	err = c.trainModelsOn(func(lang string) ([]trainingSample, error) {
		var out []trainingSample
		for _, name := range names {
			base := filepath.Base(name)
			if base != "corpus_"+lang+".tsv" && base != "train_"+lang+".tsv" {
				n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(base, "eval_"+lang+"_"), ".tsv"))
				if err != nil || !strings.HasPrefix(base, "eval_"+lang+"_") || n > last {
					continue
				}
			}
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			if out, err = appendSamples(out, name, data); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	return c, err
}
