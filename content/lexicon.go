package content

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// builtinLists are the word lists compiled into the binary, one file per language, named
// after it (lists/fr.tsv is French).
//
//go:embed lists/*.tsv
var builtinLists embed.FS

// Limits of the lists, so that a typo cannot build a huge automaton.
const (
	maxLanguages  = 8
	maxExpansions = 20000 // token sequences one entry may expand to
	maxFillers    = 4     // words a "~" gap may skip
	maxSkip       = 8     // words a "~~" gap may skip
)

// Markers of terms.
const (
	itemGap  = "~"
	itemAny  = "*"
	itemSkip = "~~"  // up to maxSkip words of any kind, inside the sentence
	itemRest = "..." // the rest of the sentence
)

// item is one position of an expanded sequence: a word, a class (any of its one-word
// alternatives), a gap or any word.
type item struct {
	word  string
	id    int32 // the word's id, set by build
	class uint16
	kind  uint8
}

const (
	itemWord uint8 = iota
	itemClass
	itemGapKind
	itemAnyKind
	itemSkipKind
)

func (it item) String() string {
	switch it.kind {
	case itemClass:
		return fmt.Sprintf("@%d", it.class)
	case itemGapKind:
		return itemGap
	case itemAnyKind:
		return itemAny
	case itemSkipKind:
		return itemSkip
	}
	return it.word
}

// class is a named set of alternatives of one language. Its one-word alternatives become
// one edge of the automaton (each word carries the bits of its classes); the longer ones
// are expanded.
type class struct {
	singles []string
	multis  [][]string
	id      int // -1 until a term uses it
}

// maxClasses bounds the classes terms may use (bits of wordInfo.classes).
const maxClasses = 64 * len(wordInfo{}.classes)

// Reserved class names: @stop lists the words that tell a language, @filler the words a
// "~" gap may skip, @future the words that put a sentence in the future tense ("ll",
// "gonna", "vais") and @harmful the words of harm, exposure and stalking ("stab", "nudes",
// "hospital", "every"): a threat the model alone finds in a message in the future tense
// counts only with one of them (threatGuarded).
const (
	classStop    = "stop"
	classFiller  = "filler"
	classFuture  = "future"
	classHarmful = "harmful"
)

// reservedClass reports whether a class name is reserved: its words are marked, terms
// cannot use it.
func reservedClass(name string) bool {
	return name == classStop || name == classFiller || name == classFuture || name == classHarmful
}

// entry is one line of a list or of an operator's file, before expansion.
type entry struct {
	origin      string // file:line, for errors
	lang        uint8  // languages (bit mask)
	key         string // normalised term, to remove it by
	parts       []part
	cat         uint8
	sev         Severity
	whole       bool // words inside a match do not count on their own
	exact       bool // no repeated-letter or masked-letter matching of its words
	anchorStart bool
	anchorEnd   bool
	toEnd       bool  // "..." last: the match runs on to the end of the sentence
	clears      uint8 // of an allow entry: the categories it clears, by bit
	sentence    bool  // of an allow entry: it clears what its whole sentence matches
	slur        bool  // of a hate entry: it names a person (aimed at the member, an insult too)
}

// part is one position of a term: alternatives (each a sequence of items).
type part struct {
	alts [][]item
}

// removal is an operator's request to drop entries.
type removal struct {
	origin string
	lang   uint8
	key    string
	cat    int // -1: any category
	used   bool
}

// builder reads lists and builds a Checker.
type builder struct {
	langs    []string
	classes  []map[string]*class // by language index
	used     []*class            // classes terms use, by id
	entries  []entry
	removals []removal
	norm     scratch
}

// lang returns the index of a language, adding it when new.
func (b *builder) lang(name string) (int, error) {
	if i := slices.Index(b.langs, name); i >= 0 {
		return i, nil
	}
	if !validLangName(name) {
		return 0, fmt.Errorf("invalid language %q (want a lower-case code such as fr or en)", name)
	}
	if len(b.langs) == maxLanguages {
		return 0, fmt.Errorf("more than %d languages", maxLanguages)
	}
	b.langs = append(b.langs, name)
	b.classes = append(b.classes, map[string]*class{})
	return len(b.langs) - 1, nil
}

func validLangName(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, c := range []byte(s) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// readBuiltin reads every embedded list.
func (b *builder) readBuiltin() error {
	names, err := fs.Glob(builtinLists, "lists/*.tsv")
	if err != nil {
		return err
	}
	for _, name := range names {
		data, err := builtinLists.ReadFile(name)
		if err != nil {
			return err
		}
		lang := strings.TrimSuffix(path.Base(name), ".tsv")
		if err := b.readList(name, lang, string(data)); err != nil {
			return err
		}
	}
	return nil
}

// readList reads one language's list:
//
//	# comment
//	@class <TAB> alternative | alternative | …
//	term <TAB> category <TAB> severity [<TAB> flags]
func (b *builder) readList(file, langName, data string) error {
	li, err := b.lang(langName)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for n, line := range strings.Split(data, "\n") {
		origin := fmt.Sprintf("%s:%d", file, n+1)
		fields := splitTabs(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if strings.HasPrefix(fields[0], "@") && !strings.Contains(fields[0], " ") && len(fields) <= 2 {
			if len(fields) != 2 {
				return fmt.Errorf("%s: a class is @name <TAB> alternatives separated by |", origin)
			}
			if err := b.defineClass(li, fields[0][1:], fields[1]); err != nil {
				return fmt.Errorf("%s: %w", origin, err)
			}
			continue
		}
		if len(fields) < 3 || len(fields) > 4 {
			return fmt.Errorf("%s: want term <TAB> category <TAB> severity [<TAB> flags], got %d fields", origin, len(fields))
		}
		var flags []string
		if len(fields) == 4 {
			flags = strings.Split(fields[3], ",")
		}
		if err := b.add(origin, 1<<li, fields[0], fields[1], fields[2], flags); err != nil {
			return err
		}
	}
	return nil
}

// splitTabs splits a line on tabs, dropping empty fields (several tabs align columns).
func splitTabs(line string) []string {
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return nil
	}
	var out []string
	for f := range strings.SplitSeq(line, "\t") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// defineClass defines @name for a language. An alternative may hold several words, words
// ending in "+" are inflected, and "@other" includes a class defined before.
func (b *builder) defineClass(li int, name, alternatives string) error {
	if !validClassName(name) {
		return fmt.Errorf("invalid class name %q", name)
	}
	if _, ok := b.classes[li][name]; ok {
		return fmt.Errorf("class @%s defined twice", name)
	}
	cl := &class{id: -1}
	for alt := range strings.SplitSeq(alternatives, "|") {
		fields := strings.Fields(alt)
		if len(fields) == 0 {
			return fmt.Errorf("class @%s: empty alternative", name)
		}
		seqs := [][]string{nil}
		for _, f := range fields {
			words, err := b.classWords(li, f)
			if err != nil {
				return fmt.Errorf("class @%s: %w", name, err)
			}
			seqs = product(seqs, words)
		}
		for _, seq := range seqs {
			switch {
			case len(seq) == 1 && !slices.Contains(cl.singles, seq[0]):
				cl.singles = append(cl.singles, seq[0])
			case len(seq) > 1 && !slices.ContainsFunc(cl.multis, func(m []string) bool { return slices.Equal(m, seq) }):
				cl.multis = append(cl.multis, seq)
			}
		}
	}
	b.classes[li][name] = cl
	return nil
}

// classWords returns the word sequences one field of a class stands for.
func (b *builder) classWords(li int, field string) ([][]string, error) {
	if name, ok := strings.CutPrefix(field, "@"); ok {
		cl, err := b.class(li, name)
		if err != nil {
			return nil, err
		}
		out := make([][]string, 0, len(cl.singles)+len(cl.multis))
		for _, w := range cl.singles {
			out = append(out, []string{w})
		}
		return append(out, cl.multis...), nil
	}
	return b.wordForms(li, field, false)
}

func (b *builder) class(li int, name string) (*class, error) {
	cl, ok := b.classes[li][name]
	if !ok || reservedClass(name) {
		return nil, fmt.Errorf("unknown class @%s in %s", name, b.langs[li])
	}
	return cl, nil
}

func validClassName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// termAlts returns the alternatives one field of a term stands for: a class's (one class
// item for its one-word alternatives, the longer ones expanded), or a word's forms.
func (b *builder) termAlts(li int, field string, inflect bool) ([][]item, error) {
	if name, ok := strings.CutPrefix(field, "@"); ok {
		cl, err := b.class(li, name)
		if err != nil {
			return nil, err
		}
		var alts [][]item
		if len(cl.singles) > 0 {
			if cl.id < 0 {
				if len(b.used) == maxClasses {
					return nil, fmt.Errorf("terms use more than %d classes", maxClasses)
				}
				cl.id = len(b.used)
				b.used = append(b.used, cl)
			}
			alts = append(alts, []item{{kind: itemClass, class: uint16(cl.id)}})
		}
		for _, m := range cl.multis {
			alts = append(alts, wordItems(m))
		}
		return alts, nil
	}
	forms, err := b.wordForms(li, field, inflect)
	if err != nil {
		return nil, err
	}
	alts := make([][]item, len(forms))
	for i, f := range forms {
		alts[i] = wordItems(f)
	}
	return alts, nil
}

func wordItems(words []string) []item {
	out := make([]item, len(words))
	for i, w := range words {
		out[i] = item{kind: itemWord, word: w}
	}
	return out
}

// wordForms returns a word's forms (inflected when it ends in "+" or inflect is set), each
// normalised to the words the tokeniser sees.
func (b *builder) wordForms(li int, field string, inflect bool) ([][]string, error) {
	w, plus := strings.CutSuffix(field, "+")
	forms := []string{w}
	if plus || inflect {
		forms = inflectWord(b.langs[li], strings.ToLower(w))
	}
	var alts [][]string
	for _, f := range forms {
		ws, err := b.normalise(f)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(alts, func(a []string) bool { return slices.Equal(a, ws) }) {
			alts = append(alts, ws)
		}
	}
	return alts, nil
}

// normalise cuts a list's word into the words the tokeniser would see ("t'es" → t, es).
func (b *builder) normalise(w string) ([]string, error) {
	b.norm.tokenize(w)
	if len(b.norm.toks) == 0 {
		return nil, fmt.Errorf("%q has no letters", w)
	}
	out := make([]string, 0, len(b.norm.toks))
	for _, t := range b.norm.toks {
		number := t.flags&tokNoWord != 0 && isNumber(b.norm.buf[t.start:t.end])
		if t.flags&(tokNoWord|tokAmbiguous|tokMasked) != 0 && !number {
			return nil, fmt.Errorf("%q: list words are letters, or a number of two digits or more", w)
		}
		out = append(out, string(b.norm.buf[t.start:t.end]))
	}
	return out, nil
}

// add validates one entry and keeps it for the build.
func (b *builder) add(origin string, langs uint8, term, category, severity string, flags []string) error {
	e := entry{origin: origin, lang: langs}
	var err error
	if e.cat, err = parseCategory(category); err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	switch {
	case e.cat == catAllow && severity != "-" && severity != "":
		return fmt.Errorf("%s: an allow entry has severity - (it clears, it does not flag)", origin)
	case e.cat == catTarget && severity != "-" && severity != "":
		return fmt.Errorf("%s: a target entry has severity - (it aims, it does not flag)", origin)
	case e.cat < numCategories:
		if e.sev, err = ParseSeverity(severity); err != nil {
			return fmt.Errorf("%s: %w", origin, err)
		}
	}
	inflect := false
	for _, f := range flags {
		f = strings.TrimSpace(f)
		if c, err := parseCategory(f); err == nil && c < numCategories {
			// An allow entry may clear some categories only ("told me to ...": threat).
			if e.cat != catAllow {
				return fmt.Errorf("%s: flag %q: only an allow entry names the categories it clears", origin, f)
			}
			e.clears |= 1 << c
			continue
		}
		switch f {
		case "inflect":
			inflect = true
		case "whole":
			e.whole = true
		case "exact":
			e.exact = true
		case "slur":
			if e.cat != catHate {
				return fmt.Errorf("%s: flag slur: only a hate entry names a person by a slur", origin)
			}
			e.slur = true
		case "sentence":
			if e.cat != catAllow {
				return fmt.Errorf("%s: flag sentence: only an allow entry clears its sentence", origin)
			}
			e.sentence = true
		case "":
		default:
			return fmt.Errorf("%s: unknown flag %q (want inflect, whole, exact, slur or sentence)", origin, f)
		}
	}
	if inflect && len(strings.Fields(term)) != 1 {
		return fmt.Errorf("%s: the inflect flag is for one-word terms: mark the words to inflect with +", origin)
	}
	if e.cat == catAllow && e.clears == 0 {
		e.clears = 1<<numCategories - 1
	}
	if e.cat == catHate && len(strings.Fields(term)) == 1 && !strings.HasPrefix(term, "@") {
		// A hate entry of one word is a slur: aimed at the member, an insult too.
		e.slur = true
	}
	for li := range b.langs {
		if langs&(1<<li) == 0 {
			continue
		}
		parts, key, err := b.parseTerm(li, term, inflect, &e)
		if err != nil {
			return fmt.Errorf("%s: %w", origin, err)
		}
		le := e
		le.lang = 1 << li
		le.parts, le.key = parts, key
		b.entries = append(b.entries, le)
	}
	return nil
}

// parseTerm reads a term: words, @classes, "~" (up to maxFillers filler words), "*" (any
// one word), "^" first (the match starts a sentence) and "$" last (it ends one).
func (b *builder) parseTerm(li int, term string, inflect bool, e *entry) ([]part, string, error) {
	fields := strings.Fields(term)
	if len(fields) == 0 {
		return nil, "", fmt.Errorf("empty term")
	}
	e.anchorStart, e.anchorEnd, e.toEnd = false, false, false
	var parts []part
	var key []string
	words := 0
	for i, f := range fields {
		switch f {
		case "^":
			if i != 0 {
				return nil, "", fmt.Errorf("term %q: ^ only starts a term", term)
			}
			e.anchorStart = true
			key = append(key, f)
			continue
		case "$":
			if i != len(fields)-1 {
				return nil, "", fmt.Errorf("term %q: $ only ends a term", term)
			}
			e.anchorEnd = true
			key = append(key, f)
			continue
		case itemRest:
			if i != len(fields)-1 {
				return nil, "", fmt.Errorf("term %q: %s only ends a term", term, itemRest)
			}
			e.toEnd = true
			key = append(key, f)
			continue
		case itemGap, itemAny, itemSkip:
			if len(parts) == 0 {
				return nil, "", fmt.Errorf("term %q: starts with %s", term, f)
			}
			if f != itemAny && isGap(parts[len(parts)-1]) {
				return nil, "", fmt.Errorf("term %q: two gaps in a row", term)
			}
			kind := itemGapKind
			switch f {
			case itemAny:
				kind = itemAnyKind
			case itemSkip:
				kind = itemSkipKind
			}
			parts = append(parts, part{alts: [][]item{{{kind: kind}}}})
			key = append(key, f)
			continue
		}
		alts, err := b.termAlts(li, f, inflect && !strings.HasPrefix(f, "@"))
		if err != nil {
			return nil, "", fmt.Errorf("term %q: %w", term, err)
		}
		parts = append(parts, part{alts: alts})
		words++
		if strings.HasPrefix(f, "@") {
			key = append(key, f)
		} else {
			for _, it := range alts[0] {
				key = append(key, it.word)
			}
		}
	}
	if words == 0 {
		return nil, "", fmt.Errorf("term %q has no word", term)
	}
	if isGap(parts[len(parts)-1]) {
		return nil, "", fmt.Errorf("term %q: ends with a gap", term)
	}
	if e.toEnd && e.anchorEnd {
		return nil, "", fmt.Errorf("term %q: both $ and %s", term, itemRest)
	}
	return parts, strings.Join(key, " "), nil
}

// remove records an operator's removal; build fails if it removes nothing.
func (b *builder) remove(origin string, langs uint8, term, category string) error {
	cat := -1
	if category != "" {
		c, err := parseCategory(category)
		if err != nil {
			return fmt.Errorf("%s: %w", origin, err)
		}
		cat = int(c)
	}
	for li := range b.langs {
		if langs&(1<<li) == 0 {
			continue
		}
		var e entry
		_, key, err := b.parseTerm(li, term, false, &e)
		if err != nil {
			return fmt.Errorf("%s: %w", origin, err)
		}
		b.removals = append(b.removals, removal{origin: origin, lang: 1 << li, key: key, cat: cat})
	}
	return nil
}

// removes reports whether a removal drops an entry or an expanded sequence with this key.
func (b *builder) removes(lang uint8, key string, cat uint8) bool {
	hit := false
	for i := range b.removals {
		r := &b.removals[i]
		if r.lang&lang != 0 && r.key == key && (r.cat < 0 || r.cat == int(cat)) {
			r.used = true
			hit = true
		}
	}
	return hit
}

func isGap(p part) bool {
	return len(p.alts) == 1 && len(p.alts[0]) == 1 && (p.alts[0][0].kind == itemGapKind || p.alts[0][0].kind == itemSkipKind)
}

// product appends each of alts to each of seqs.
func product[T any](seqs, alts [][]T) [][]T {
	out := make([][]T, 0, len(seqs)*len(alts))
	for _, s := range seqs {
		for _, a := range alts {
			out = append(out, append(slices.Clip(s), a...))
		}
	}
	return out
}

// inflectWord returns a word's inflected forms in a language: masculine, feminine,
// singular and plural in French, singular and plural in English; the word itself elsewhere.
func inflectWord(lang, w string) []string {
	switch lang {
	case "fr":
		return inflectFR(w)
	case "en":
		return inflectEN(w)
	}
	return []string{w}
}

func inflectFR(w string) []string {
	has := func(suffix string) bool { return strings.HasSuffix(w, suffix) }
	drop := func(n int) string { return w[:len(w)-n] }
	switch {
	case has("é"):
		return []string{w, w + "s", w + "e", w + "es"}
	case has("eux"):
		return []string{w, drop(1) + "se", drop(1) + "ses"}
	case has("eur"): // menteuse, but inférieure
		return []string{w, w + "s", drop(1) + "se", drop(1) + "ses", w + "e", w + "es"}
	case has("if"):
		return []string{w, w + "s", drop(1) + "ve", drop(1) + "ves"}
	case has("e"):
		return []string{w, w + "s"}
	case has("on"), has("en"), has("el"), has("et"):
		last := w[len(w)-1:]
		return []string{w, w + "s", w + last + "e", w + last + "es"}
	case has("al"):
		return []string{w, w + "s", w + "e", w + "es", drop(1) + "ux"}
	case has("eau"):
		return []string{w, w + "x"}
	case has("s"):
		return []string{w, w + "e", w + "es", w + "se", w + "ses"}
	case has("x"):
		return []string{w, drop(1) + "se", drop(1) + "ses"}
	}
	return []string{w, w + "s", w + "e", w + "es"}
}

func inflectEN(w string) []string {
	has := func(suffix string) bool { return strings.HasSuffix(w, suffix) }
	switch {
	case has("s"), has("x"), has("z"), has("ch"), has("sh"):
		return []string{w, w + "es"}
	case has("y") && len(w) > 1 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return []string{w, w + "s", w[:len(w)-1] + "ies"}
	}
	return []string{w, w + "s"}
}
