package content

import "math/bits"

// scratch is the per-call working memory, reused through the Checker's pool so that a
// check allocates nothing in steady state.
type scratch struct {
	buf  []byte  // the message's words, normalised
	toks []token // the words, as cut
	seq  []seqTok
	hits []hit

	alt, skel, strip, glue []byte // lookup variants
	votes                  [maxLanguages]uint16
	gap                    uint8 // separators since the last word, while tokenising
	gapSpace, gapComma     bool
	feat                   []uint32                     // the model's features
	seen                   *[1 << modelBits / 64]uint64 // the features in feat, by bit
}

// seqTok is one word of the sequence the automaton reads: a token, or letters joined.
type seqTok struct {
	w     *wordInfo // never modified
	flags uint8     // tokBoundaryBefore, tokBoundaryAfter, tokCommaBefore
}

// hit is one entry matched over seq[start:end].
type hit struct {
	start, end int32
	res        int32
}

// Bounds of the work one message may cause.
const (
	maxHits        = 256
	maxPooledBytes = 64 << 10
	maxGlue        = 32 // letters joined at most
)

// scan returns the highest severity found in each category.
func (c *Checker) scan(text, locale string) (sev [numCategories]Severity) {
	if text == "" {
		return sev
	}
	s := c.pool.Get().(*scratch)
	defer c.release(s)

	s.tokenize(text)
	c.words(s)
	active := c.languages(s, locale)
	s.hits = s.hits[:0]
	for p := range s.seq {
		if s.seq[p].w.flags&wordStarts != 0 {
			c.walk(s, 0, p, p, 0, active)
		}
	}
	sev, cleared := c.resolve(s, active)
	if c.models != nil {
		// What the lists cleared (reported speech, a promise not to, a game, the nudes of
		// an exposure threat…), the model does not find again.
		c.predict(s, active, cleared&^categoriesOf(sev), &sev)
	}
	return sev
}

func (c *Checker) release(s *scratch) {
	if cap(s.buf) > maxPooledBytes || cap(s.seq) > maxPooledBytes/8 {
		return // a huge message: let its buffers go
	}
	c.pool.Put(s)
}

// languages decides which languages to check: the locale's, and the ones the text is
// clearly written in (its common words are mostly of one language); all of them when the
// locale is unknown and the text does not tell.
func (c *Checker) languages(s *scratch, locale string) uint8 {
	best, second := 0, uint16(0)
	for i := 1; i < len(c.langs); i++ {
		switch v := s.votes[i]; {
		case v > s.votes[best]:
			second = s.votes[best]
			best = i
		case v > second:
			second = v
		}
	}
	var detected uint8
	if s.votes[best] > 0 && s.votes[best] >= 2*second {
		detected = 1 << best
	}
	if l := c.localeLanguages(locale); l != 0 {
		return l | detected
	}
	if detected != 0 {
		return detected
	}
	return c.all
}

// words looks every token up, joins runs of separated letters ("c.o.n.n.a.r.d") into the
// word they spell when it is an entry's, and counts the common words of each language.
func (c *Checker) words(s *scratch) {
	s.seq = s.seq[:0]
	s.votes = [maxLanguages]uint16{}
	toks := s.toks
	for i := 0; i < len(toks); {
		if toks[i].flags&tokGlue == 0 {
			c.emit(s, toks[i])
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && j-i < maxGlue && toks[j].flags&tokGlue != 0 && toks[j-1].flags&tokApostrophe == 0 {
			j++
		}
		if j-i >= 2 && c.join(s, i, j) {
			i = j
			continue
		}
		for ; i < j; i++ {
			c.emit(s, toks[i])
		}
	}
}

// emit appends one token to the sequence.
func (c *Checker) emit(s *scratch, t token) {
	w := unknownWord
	switch b := s.buf[t.start:t.end]; {
	case t.flags&tokNoWord == 0:
		var ok bool
		if w, ok = c.lookup(s, b, t.flags); !ok && elidedJe(b) {
			// "jsais", "jte", "jconnais": "je" elided without an apostrophe, read as
			// "je sais", "je te", "je connais".
			je := unknownWord
			if id, ok := c.ids["je"]; ok {
				je = &c.infos[id]
			}
			c.vote(s, je)
			s.seq = append(s.seq, seqTok{w: je, flags: t.flags & (tokBoundaryBefore | tokCommaBefore)})
			rest := t
			rest.start++
			rest.flags &^= tokBoundaryBefore | tokCommaBefore
			c.emit(s, rest)
			return
		}
	case isNumber(b):
		// A number the lists name ("69"), as written only.
		if id, ok := c.ids[string(b)]; ok {
			w = &c.infos[id]
		}
	}
	c.vote(s, w)
	s.seq = append(s.seq, seqTok{w: w, flags: t.flags & (tokBoundaryBefore | tokBoundaryAfter | tokCommaBefore)})
}

func (c *Checker) vote(s *scratch, w *wordInfo) {
	for m, i := w.stop, 0; m != 0; m, i = m>>1, i+1 {
		if m&1 != 0 {
			s.votes[i]++
		}
	}
}

// elidedJe reports whether a word that is not listed starts with a "j" that can only be
// an elided "je": followed by a consonant, as no French word's is.
func elidedJe(w []byte) bool {
	if len(w) < 3 || w[0] != 'j' {
		return false
	}
	switch w[1] {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'h':
		return false
	}
	return w[1] >= 'a' && w[1] <= 'z'
}

// join tries to read toks[i:j], one-character tokens, as one word: the whole run, then
// without its first or last character (a real one-letter word next to the spelled one).
// A two-letter word is only read from a whole run joined by one non-space character
// ("p.d"), or from a whole sentence ("P D"). On success it emits the run, the joined word
// in it, and reports true.
func (c *Checker) join(s *scratch, i, j int) bool {
	for k, r := range [...][2]int{{i, j}, {i + 1, j}, {i, j - 1}, {i + 1, j - 1}} {
		a, b := r[0], r[1]
		if b-a < 2 {
			continue
		}
		if b-a == 2 {
			joined := !s.toks[b-1].gapSpace && s.toks[b-1].gap == 1
			sentence := s.toks[a].flags&tokBoundaryBefore != 0 && s.toks[b-1].flags&tokBoundaryAfter != 0
			if k != 0 || !joined && !sentence {
				continue
			}
		}
		s.glue = s.glue[:0]
		var flags uint8
		letters := 0
		for _, t := range s.toks[a:b] {
			s.glue = append(s.glue, s.buf[t.start])
			flags |= t.flags & tokAmbiguous
			letters += int(t.letters)
		}
		if letters < 2 {
			continue
		}
		w, ok := c.lookup(s, s.glue, flags)
		if !ok || w.flags&wordContent == 0 {
			continue
		}
		for _, t := range s.toks[i:a] {
			c.emit(s, t)
		}
		c.vote(s, w)
		flags = s.toks[a].flags&(tokBoundaryBefore|tokCommaBefore) | s.toks[b-1].flags&tokBoundaryAfter
		s.seq = append(s.seq, seqTok{w: w, flags: flags})
		for _, t := range s.toks[b:j] {
			c.emit(s, t)
		}
		return true
	}
	return false
}

// lookup finds a word as written, then with an ambiguous "1" or "|" read as "i" or "l",
// with its repeated letters once, or with its masked letters ("c*nnard") guessed.
func (c *Checker) lookup(s *scratch, w []byte, flags uint8) (*wordInfo, bool) {
	if flags&tokAmbiguous == 0 {
		return c.lookupPlain(s, w, flags)
	}
	for _, letter := range [...]byte{'i', 'l'} {
		s.alt = append(s.alt[:0], w...)
		for k, b := range s.alt {
			if b == ambiguous {
				s.alt[k] = letter
			}
		}
		if info, ok := c.lookupPlain(s, s.alt, flags); ok {
			return info, true
		}
	}
	return unknownWord, false
}

func (c *Checker) lookupPlain(s *scratch, w []byte, flags uint8) (*wordInfo, bool) {
	if flags&tokMasked != 0 {
		return c.lookupMasked(s, w)
	}
	if id, ok := c.ids[string(w)]; ok {
		return &c.infos[id], true
	}
	run := longestRun(w)
	if run < 2 {
		return unknownWord, false
	}
	// Letters repeated for emphasis ("connnnard") or by mistake ("sallope"). A doubled
	// letter only finds a word that is an entry on its own, so "salle" is not "sale".
	s.skel = collapse(s.skel[:0], w)
	if id, ok := c.skelIDs[string(s.skel)]; ok && (run >= 3 || c.infos[id].flags&wordSingle != 0) {
		return &c.infos[id], true
	}
	return unknownWord, false
}

// lookupMasked guesses a word with masked letters: with two letters or more shown, the one
// entry word of that length that agrees ("c*nnard" → connard); else the word without its
// stars ("f***" → f, as in "f you").
func (c *Checker) lookupMasked(s *scratch, w []byte) (*wordInfo, bool) {
	shown := 0
	s.strip = s.strip[:0]
	for _, b := range w {
		if b != '*' {
			shown++
			s.strip = append(s.strip, b)
		}
	}
	if shown >= 2 && w[0] != '*' && len(w) < len(c.byLen) {
		var single, other *wordInfo
		singles, others := 0, 0
		for _, cand := range c.byLen[len(w)] {
			if !masks(w, cand) {
				continue
			}
			info := &c.infos[c.ids[cand]]
			if info.flags&wordSingle != 0 {
				single = info
				singles++
			} else {
				other = info
				others++
			}
		}
		switch {
		case singles == 1:
			return single, true
		case singles == 0 && others == 1:
			return other, true
		}
	}
	if shown == 0 {
		return unknownWord, false
	}
	return c.lookupPlain(s, s.strip, 0)
}

// masks reports whether w, with '*' for any letter, agrees with cand (of the same length).
func masks(w []byte, cand string) bool {
	for k, b := range w {
		if b != '*' && b != cand[k] {
			return false
		}
	}
	return true
}

// isNumber reports whether w is two digits or more.
func isNumber(w []byte) bool {
	if len(w) < 2 {
		return false
	}
	for _, b := range w {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

// longestRun returns the length of the longest run of one repeated letter.
func longestRun(w []byte) int {
	best, run := 1, 1
	for k := 1; k < len(w); k++ {
		if w[k] == w[k-1] && w[k] >= 'a' && w[k] <= 'z' {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	return best
}

// collapse appends w to dst with every run of a repeated letter written once.
func collapse(dst, w []byte) []byte {
	for k, b := range w {
		if k > 0 && b == w[k-1] && b >= 'a' && b <= 'z' {
			continue
		}
		dst = append(dst, b)
	}
	return dst
}

// walk follows the automaton from node n, where seq[start:p] has been read; fillers is how
// many words the current gap has skipped.
func (c *Checker) walk(s *scratch, n int32, start, p, fillers int, active uint8) {
	nd := &c.nodes[n]
	if nd.nres > 0 {
		c.record(s, nd, start, p, active)
	}
	if p >= len(s.seq) {
		return
	}
	t := &s.seq[p]
	if n == 0 {
		if t.w.id >= 0 {
			if child := c.rootChild[t.w.id]; child != 0 {
				c.walk(s, child, start, p+1, 0, active)
			}
		}
		for i, m := range c.rootClasses {
			for m &= t.w.classes[i]; m != 0; m &= m - 1 {
				c.walk(s, c.rootByClass[i<<6|bits.TrailingZeros64(m)], start, p+1, 0, active)
			}
		}
	} else {
		if nd.nedge > 0 && t.w.id >= 0 {
			if child := c.child(nd, t.w.id); child != 0 {
				c.walk(s, child, start, p+1, 0, active)
			}
		}
		for _, e := range c.classEdges[nd.cls : nd.cls+int32(nd.ncls)] {
			if t.w.inClass(e.class) {
				c.walk(s, e.child, start, p+1, 0, active)
			}
		}
	}
	if nd.any != 0 {
		c.walk(s, nd.any, start, p+1, 0, active)
	}
	if nd.gap != 0 {
		c.walk(s, nd.gap, start, p, 0, active)
	}
	if nd.skip != 0 && (p == 0 || s.seq[p-1].flags&tokBoundaryAfter == 0) {
		// "~~": any words, up to maxSkip, without leaving the sentence.
		for q := p; q <= p+maxSkip && q < len(s.seq); q++ {
			c.walk(s, nd.skip, start, q, 0, active)
			if s.seq[q].flags&tokBoundaryAfter != 0 {
				break
			}
		}
	}
	if nd.isGap && fillers < maxFillers && t.w.filler&active != 0 {
		c.walk(s, n, start, p+1, fillers+1, active)
	}
}

// record keeps the entries ending at nd whose language and anchors fit.
func (c *Checker) record(s *scratch, nd *node, start, end int, active uint8) {
	for i := nd.res; i < nd.res+int32(nd.nres); i++ {
		r := &c.results[i]
		switch {
		case r.lang&active == 0,
			r.anchorStart && s.seq[start].flags&tokBoundaryBefore == 0,
			r.anchorEnd && s.seq[end-1].flags&tokBoundaryAfter == 0,
			len(s.hits) == maxHits:
			continue
		}
		b, e := start, end
		if r.toEnd || r.sentence {
			for e < len(s.seq) && s.seq[e-1].flags&tokBoundaryAfter == 0 {
				e++
			}
		}
		if r.sentence {
			for b > 0 && s.seq[b].flags&tokBoundaryBefore == 0 {
				b--
			}
		}
		s.hits = append(s.hits, hit{start: int32(b), end: int32(e), res: i})
	}
}

// resolve turns the hits into severities: an allow match clears the matches it overlaps
// (of the categories it clears), and a "whole" match clears the shorter ones inside it. A
// slur aimed at the member is an insult too.
func (c *Checker) resolve(s *scratch, active uint8) (sev [numCategories]Severity, cleared uint8) {
	for _, h := range s.hits {
		r := &c.results[h.res]
		switch {
		case r.cat == catTarget:
		case r.cat == catAllow:
			if r.sentence {
				cleared |= r.clears // the model does not find them either
			}
		case c.cleared(s, h, r.cat):
			cleared |= 1 << r.cat
		default:
			sev[r.cat] = max(sev[r.cat], r.sev)
			if r.slur && c.aimed(s, h, active) {
				if c.cleared(s, h, catInsult) {
					cleared |= 1 << catInsult
				} else {
					sev[catInsult] = max(sev[catInsult], r.sev)
				}
			}
		}
	}
	return sev, cleared
}

// aimed reports whether the slur h matched is aimed at the member rather than at an absent
// person or a group: a target's match (the lists' "you", "t'es", "ferme-la", "nice try")
// ends right before it in its clause, filler words aside, or starts it ("go back to the
// jungle you n1gger", "t'es qu'un travelo", "are you retarded", "ferme-la le négro"); or
// its clause (its sentence, or the part of it between commas) holds nothing but filler
// words before it and targets after it ("sale gouine", "dégage de mon profil, bougnoule",
// "ugly dyke, nobody asked", "p.é.d.é va"). A plural names a group, never aimed ("fucking
// pakis", "every one of you queers"), and "my neighbour is a paki" and "les gouines
// c'est …" are not aimed either.
func (c *Checker) aimed(s *scratch, h hit, active uint8) bool {
	seq := s.seq
	for _, t := range seq[h.start:h.end] {
		if t.w.flags&wordPlural != 0 {
			return false // a group ("fucking pakis", "every one of you queers")
		}
	}
	cs := h.start // the clause's first word
	for cs > 0 && seq[cs].flags&(tokBoundaryBefore|tokCommaBefore) == 0 {
		cs--
	}
	b := h.start // the first of the filler words right before the slur, in the clause
	for b > cs && seq[b-1].w.filler&active != 0 {
		b--
	}
	ce := h.end // after the clause's last word
	for ce < int32(len(seq)) && seq[ce-1].flags&tokBoundaryAfter == 0 && seq[ce].flags&tokCommaBefore == 0 {
		ce++
	}
	rest := h.end // the first word after the slur no target covers
	for _, g := range s.hits {
		if c.results[g.res].cat != catTarget {
			continue
		}
		if g.start >= cs && g.start <= h.start && g.end >= b {
			return true
		}
		if g.start <= rest && g.end > rest {
			rest = g.end
		}
	}
	// The hits are in the order of their first word: rest has run over a chain of targets
	// after the slur ("va", "lol").
	return b == cs && rest >= ce
}

// categoriesOf returns the set of categories found (bit per category).
func categoriesOf(sev [numCategories]Severity) (set uint8) {
	for i, v := range sev {
		if v != 0 {
			set |= 1 << i
		}
	}
	return set
}

// cleared reports whether a match of category cat over h's words is cleared: by an allow
// match of that category it overlaps, or by a longer "whole" match around it.
func (c *Checker) cleared(s *scratch, h hit, cat uint8) bool {
	for _, g := range s.hits {
		r := &c.results[g.res]
		switch {
		case r.cat == catAllow && r.clears&(1<<cat) != 0 && g.start < h.end && h.start < g.end:
			return true
		case r.whole && g.start <= h.start && h.end <= g.end && g.end-g.start > h.end-h.start:
			return true
		}
	}
	return false
}
