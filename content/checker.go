package content

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/relance/relance/policy"
)

// Config configures a Checker. The zero value is the built-in lists alone.
type Config struct {
	// ExtraFile is an operator's file of entries to add to and remove from the built-in
	// lists: YAML (.yaml, .yml) or TSV (.tsv), described in the package documentation.
	// It is read and validated by New; an error names the file and line. Empty: none.
	ExtraFile string
}

// Validate checks what can be checked without reading the file.
func (c Config) Validate() error {
	if c.ExtraFile == "" {
		return nil
	}
	switch strings.ToLower(filepath.Ext(c.ExtraFile)) {
	case ".yaml", ".yml", ".tsv":
		return nil
	}
	return fmt.Errorf("content: extra file %s: want a .yaml, .yml or .tsv file", c.ExtraFile)
}

// Checker finds insults, hate, sexual content and threats in short messages. It is
// immutable once built and safe for concurrent use.
type Checker struct {
	*compiled
	pool sync.Pool // *scratch
}

// compiled is what a Checker reads: built once, never modified, so that Checkers of the
// same lists may share it (New shares the built-in lists').
type compiled struct {
	langs []string
	all   uint8 // every language

	// What the lists say of every word, by id; ids by word, and the ids of entries' words
	// by their skeleton (repeated letters once). vocab and skel are the same while building.
	infos        []wordInfo
	ids, skelIDs map[string]int32
	vocab, skel  map[string]wordInfo
	// byLen holds the words of entries by length, for words with masked letters ("c*nnard").
	byLen [][]string

	nodes      []node
	wordEdges  []wordEdge // nodes' word edges, in runs sorted by word (node.edge)
	rootChild  []int32    // the root's child by word id, 0 for none
	classEdges []classEdge
	results    []result
	// The root's class edges by class, for the words that may start an entry: the root has
	// many, and every word of a message is tried there.
	rootClasses [len(wordInfo{}.classes)]uint64
	rootByClass []int32 // by class id: the child, 0 for none

	models []*model        // by language; nil for a language without labelled messages
	unseen map[string]bool // words the model does not see: those of an operator's removals

	// By word id, the languages whose @future and @harmful classes hold the word (see
	// threatGuarded).
	future, harmful []uint8
}

// newChecker returns a Checker that reads comp.
func newChecker(comp *compiled) *Checker {
	c := &Checker{compiled: comp}
	c.pool.New = func() any { return new(scratch) }
	return c
}

// builtin is the compiled built-in lists and their models, built once per process: every
// Checker without an operator's file would build and train the same (about a fifth of a
// second), and they are only read once built.
var builtin struct {
	once sync.Once
	comp *compiled
	err  error
}

var _ policy.TextChecker = (*Checker)(nil)

// wordInfo is what the lists say of a word.
type wordInfo struct {
	id      int32 // -1: unknown
	flags   uint8
	stop    uint8     // languages it is a common word of
	filler  uint8     // languages in which a gap may skip it
	classes [4]uint64 // classes it belongs to, by class id
}

func (w *wordInfo) inClass(id uint16) bool { return w.classes[id>>6]&(1<<(id&63)) != 0 }

// Word flags.
const (
	wordStarts  uint8 = 1 << iota // some entry starts with it
	wordSingle                    // it is an entry on its own
	wordContent                   // some entry holds it
	wordExact                     // only as written: no repeated-letter or masked matching
	wordPlural                    // a plural whose singular is listed too ("pakis", "pédés"): a group
)

var unknownWord = &wordInfo{id: -1} // shared: never modified

// node is a state of the automaton the entries compile to (automaton.go): over word ids,
// with class, gap and any-word edges.
type node struct {
	res, cls, edge int32 // the first of its results, class edges and word edges
	// How many results (the entries ending here), class edges and word edges it has:
	// 16 bits keep a node in 32 bytes, two to a cache line.
	nres, ncls, nedge uint16
	gap, any          int32 // children through "~" and "*"; 0 for none (the root is nobody's child)
	skip              int32 // child through "~~"
	isGap             bool  // reached through "~": may skip filler words
}

// classEdge leads to child on any word of a class.
type classEdge struct {
	class uint16
	child int32
}

// result is one entry ending at a node.
type result struct {
	lang        uint8
	cat         uint8
	sev         Severity
	whole       bool
	anchorStart bool
	anchorEnd   bool
	toEnd       bool  // the match runs on to the end of the sentence ("...")
	clears      uint8 // of an allow entry: the categories it clears (bit per category)
	sentence    bool  // of an allow entry: it clears its whole sentence
	slur        bool  // of a hate entry: it names a person; aimed at the member, an insult too
}

var defaultChecker = sync.OnceValue(func() *Checker {
	c, err := New(Config{})
	if err != nil {
		panic(fmt.Sprintf("content: the built-in lists are invalid: %v", err))
	}
	return c
})

// Default returns the Checker of the built-in lists. It is built once and shared.
func Default() *Checker { return defaultChecker() }

// New builds a Checker from the built-in lists and cfg.ExtraFile.
func New(cfg Config) (*Checker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.ExtraFile == "" && heldOut == "" && traceInsert == nil {
		builtin.once.Do(func() {
			c, err := build(cfg)
			if err == nil {
				builtin.comp = c.compiled
			}
			builtin.err = err
		})
		if builtin.err != nil {
			return nil, builtin.err
		}
		return newChecker(builtin.comp), nil
	}
	return build(cfg)
}

// build reads the lists and cfg.ExtraFile, compiles them and trains the models.
func build(cfg Config) (*Checker, error) {
	var b builder
	if err := b.readBuiltin(); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	if cfg.ExtraFile != "" {
		if err := b.readExtraFile(cfg.ExtraFile); err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
	}
	c, err := b.build()
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	// The model reads the words' classes, which an operator's entries change: it is
	// trained for these lists.
	if err := c.trainModels(); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	return c, nil
}

// build compiles the entries.
func (b *builder) build() (*Checker, error) {
	c := newChecker(&compiled{
		langs: b.langs,
		vocab: map[string]wordInfo{},
		skel:  map[string]wordInfo{},
	})
	c.all = uint8(1<<len(b.langs) - 1)
	future, harmful := map[string]uint8{}, map[string]uint8{} // languages by word
	for li := range b.langs {
		for _, name := range []string{classStop, classFiller, classFuture, classHarmful} {
			cl := b.classes[li][name]
			if cl == nil {
				continue
			}
			if len(cl.multis) > 0 {
				return nil, fmt.Errorf("%s: @%s holds single words only, not %q", b.langs[li], name, strings.Join(cl.multis[0], " "))
			}
			for _, w := range cl.singles {
				info := c.word(w)
				switch name {
				case classStop:
					info.stop |= 1 << li
				case classFiller:
					info.filler |= 1 << li
				case classFuture:
					future[w] |= 1 << li
				case classHarmful:
					harmful[w] |= 1 << li
				}
				c.vocab[w] = info
			}
		}
	}

	var kept []*entry
	for i := range b.entries {
		e := &b.entries[i]
		if b.removes(e.lang, e.key, e.cat) {
			continue
		}
		n := 1
		for _, p := range e.parts {
			if n*len(p.alts) > maxExpansions {
				return nil, fmt.Errorf("%s: the term expands to more than %d sequences", e.origin, maxExpansions)
			}
			n *= len(p.alts)
		}
		for _, p := range e.parts {
			for _, alt := range p.alts {
				for i := range alt {
					if alt[i].kind == itemWord {
						alt[i].id = c.contentWord(alt[i].word, e.exact)
					}
				}
			}
		}
		kept = append(kept, e)
	}
	for id, cl := range b.used {
		for _, w := range cl.singles {
			info := c.word(w)
			info.classes[id>>6] |= 1 << (id & 63)
			c.vocab[w] = info
		}
	}
	if err := c.compile(b, kept); err != nil {
		return nil, err
	}
	for _, r := range b.removals {
		// The model does not see the words an operator removed ("remove bite": the model
		// does not find "bite" sexual either).
		for w := range strings.FieldsSeq(r.key) {
			if !strings.HasPrefix(w, "@") && w != itemGap && w != itemAny && w != itemSkip && w != "^" && w != "$" && w != itemRest {
				if c.unseen == nil {
					c.unseen = map[string]bool{}
				}
				c.unseen[w] = true
			}
		}
		if !r.used {
			return nil, fmt.Errorf("%s: removes nothing: no %s entry %q", r.origin, b.langs[bitIndex(r.lang)], r.key)
		}
	}

	// What each word is: an entry's first word, an entry on its own, an entry's word.
	root := c.classEdges[c.nodes[0].cls : c.nodes[0].cls+int32(c.nodes[0].ncls)]
	c.rootByClass = make([]int32, maxClasses)
	for _, e := range root {
		c.rootClasses[e.class>>6] |= 1 << (e.class & 63)
		c.rootByClass[e.class] = e.child
	}
	words := make([]string, 0, len(c.vocab))
	for w, info := range c.vocab {
		if isPlural(w, c.vocab) {
			info.flags |= wordPlural
		}
		for id, cl := range b.used {
			if info.inClass(uint16(id)) && len(cl.singles) > 0 {
				info.flags |= wordContent
			}
		}
		if child := c.rootChild[info.id]; child != 0 {
			info.flags |= wordStarts
			if c.flags(child) {
				info.flags |= wordSingle
			}
		}
		for _, e := range root {
			if info.inClass(e.class) {
				info.flags |= wordStarts
				if c.flags(e.child) {
					info.flags |= wordSingle
				}
			}
		}
		c.vocab[w] = info
		words = append(words, w)
	}
	slices.Sort(words)
	for _, w := range words {
		info := c.vocab[w]
		if info.flags&wordContent == 0 || info.flags&wordExact != 0 {
			continue
		}
		sk := w // most words have no repeated letter: their skeleton is the word's string
		if longestRun([]byte(w)) >= 2 {
			sk = string(collapse(nil, []byte(w)))
		}
		if prev, ok := c.skel[sk]; !ok || (sk == w && prev.id != info.id) {
			c.skel[sk] = info
		}
		for len(c.byLen) <= len(w) {
			c.byLen = append(c.byLen, nil)
		}
		c.byLen[len(w)] = append(c.byLen[len(w)], w)
	}
	c.infos = make([]wordInfo, len(c.vocab))
	c.ids = make(map[string]int32, len(c.vocab))
	for w, info := range c.vocab {
		c.infos[info.id] = info
		c.ids[w] = info.id
	}
	c.skelIDs = make(map[string]int32, len(c.skel))
	for sk, info := range c.skel {
		c.skelIDs[sk] = info.id
	}
	c.future, c.harmful = make([]uint8, len(c.infos)), make([]uint8, len(c.infos))
	for w, langs := range future {
		c.future[c.ids[w]] = langs
	}
	for w, langs := range harmful {
		c.harmful[c.ids[w]] = langs
	}
	c.vocab, c.skel = nil, nil
	return c, nil
}

// isPlural reports whether w is the plural of another word of vocab: w ending in "s" or
// "x" (French "-aux" from "-al", English "-ies" from "-y" and "-es" included) whose
// singular is a word of vocab too.
func isPlural(w string, vocab map[string]wordInfo) bool {
	has := func(stem string) bool { _, ok := vocab[stem]; return ok && stem != "" }
	switch {
	case strings.HasSuffix(w, "ies") && has(w[:len(w)-3]+"y"),
		strings.HasSuffix(w, "aux") && has(w[:len(w)-3]+"al"),
		strings.HasSuffix(w, "es") && has(w[:len(w)-2]):
		return true
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"):
		return has(w[:len(w)-1])
	}
	return false
}

// traceInsert, when set (by tests), sees the node each entry's sequence ends at.
var traceInsert func(node int32, origin string)

// flags reports whether a node ends an entry that flags (not an allow entry).
func (c *Checker) flags(n int32) bool {
	nd := &c.nodes[n]
	for _, r := range c.results[nd.res : nd.res+int32(nd.nres)] {
		if r.cat < numCategories {
			return true
		}
	}
	return false
}

// seqKey is the key an expanded sequence is removed by.
func seqKey(seq []item, e entry) string {
	words := make([]string, 0, len(seq)+2)
	if e.anchorStart {
		words = append(words, "^")
	}
	for _, it := range seq {
		words = append(words, it.String())
	}
	if e.anchorEnd {
		words = append(words, "$")
	}
	if e.toEnd {
		words = append(words, itemRest)
	}
	return strings.Join(words, " ")
}

func bitIndex(mask uint8) int {
	for i := range 8 {
		if mask&(1<<i) != 0 {
			return i
		}
	}
	return 0
}

// word returns a word's info, adding it to the vocabulary when new.
func (c *Checker) word(w string) wordInfo {
	info, ok := c.vocab[w]
	if !ok {
		info = wordInfo{id: int32(len(c.vocab))}
		c.vocab[w] = info
	}
	return info
}

// contentWord returns the id of an entry's word, marking it as such.
func (c *Checker) contentWord(w string, exact bool) int32 {
	info := c.word(w)
	if want := info.flags | wordContent | boolFlag(exact, wordExact); want != info.flags {
		info.flags = want
		c.vocab[w] = info
	}
	return info.id
}

func boolFlag(b bool, f uint8) uint8 {
	if b {
		return f
	}
	return 0
}

// wordEdge leads to child on one word.
type wordEdge struct{ word, child int32 }

// child returns the child of node nd (not the root) on word w, 0 for none.
func (c *Checker) child(nd *node, w int32) int32 {
	es := c.wordEdges[nd.edge : nd.edge+int32(nd.nedge)]
	if len(es) <= 8 {
		for _, e := range es {
			if e.word == w {
				return e.child
			}
		}
		return 0
	}
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].word < w {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(es) && es[lo].word == w {
		return es[lo].child
	}
	return 0
}

// Languages returns the languages the lists cover, such as "en" and "fr".
func (c *Checker) Languages() []string { return slices.Clone(c.langs) }

// Check returns the categories of offensive content in text, sorted, each once; nil when
// none. It implements policy.TextChecker: it is CPU-bound and never fails, so it ignores
// ctx and its error is always nil. The returned slice is shared and must not be modified
// (appending to it is fine: it copies).
func (c *Checker) Check(_ context.Context, text, locale string) ([]policy.Category, error) {
	return c.categories(text, locale), nil
}

func (c *Checker) categories(text, locale string) []policy.Category {
	sev := c.scan(text, locale)
	set := 0
	for i, s := range sev {
		if s != 0 {
			set |= 1 << i
		}
	}
	return categorySets[set]
}

// Find returns the categories of offensive content in text, each once with the highest
// severity of what matched, in category order; nil when none.
//
// locale selects the lists: "fr", "fr-FR", "en_GB"… check that language, plus any other
// the text is clearly written in; an empty or unknown locale checks the languages the text
// seems written in, or all of them when it cannot tell.
func (c *Checker) Find(text, locale string) []Finding {
	sev := c.scan(text, locale)
	var out []Finding
	for i, s := range sev {
		if s != 0 {
			out = append(out, Finding{Category: categories[i], Severity: s})
		}
	}
	return out
}

// localeLanguages returns the languages a locale selects (0 for none known).
func (c *Checker) localeLanguages(locale string) uint8 {
	if i := strings.IndexAny(locale, "-_"); i >= 0 {
		locale = locale[:i]
	}
	for i, l := range c.langs {
		if strings.EqualFold(locale, l) {
			return 1 << i
		}
	}
	return 0
}
