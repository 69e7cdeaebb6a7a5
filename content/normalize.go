package content

import (
	"unicode"
	"unicode/utf8"
)

// The tokeniser turns a message into lower-case ASCII words, in place in a reusable buffer:
// accents and ligatures are folded ("é" → "e", "œ" → "oe"), look-alike letters from other
// alphabets and styled Unicode letters are mapped to their Latin twins, invisible characters
// are dropped, and leetspeak inside a word is read as letters ("c0nn4rd" → "connard").
// Numbers on their own stay numbers ("j'ai 30 ans"). Each token records what the lookup
// needs to know: whether it holds an ambiguous "1" or "|" (i or l), a masking "*", and
// whether a sentence boundary comes before it.

// Character classes of the tokeniser.
const (
	clsSep      uint8 = iota // ends a word
	clsBoundary              // ends a word and a sentence: . ! ? ; : newline, emoji…
	clsApos                  // ends a word by elision: t'es, j'vais
	clsLetter                // part of a word
	clsLeet                  // part of a word, read as a letter when the word has letters: 0-9 @ $
	clsInner                 // part of a word only inside one: ! | *
	clsIgnore                // invisible: does not end a word
)

// ambiguous stands in a token for a "1" or "|" until the lookup tries "i", then "l".
const ambiguous = 0x01

// Token flags.
const (
	tokBoundaryBefore uint8 = 1 << iota // first word of the message or of a sentence
	tokBoundaryAfter                    // last word of the message or of a sentence
	tokAmbiguous                        // holds ambiguous bytes
	tokMasked                           // holds '*'
	tokNoWord                           // no letter: a number or symbols, never looked up
	tokGlue                             // one character that separated letters may join ("c o n")
	tokApostrophe                       // followed by an apostrophe: an elided word, never joined
	tokCommaBefore                      // a comma among the separators before it: a clause starts
)

// token is one word of the message: buf[start:end] of the scratch it was cut into.
type token struct {
	start, end int32
	flags      uint8
	letters    uint8 // letters in a one-character token (0 or 1), for joining
	gap        uint8 // separator characters before it (at most 255)
	gapSpace   bool  // one of them was white space
}

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			t[c] = clsLetter
		case c >= '0' && c <= '9', c == '@', c == '$':
			t[c] = clsLeet
		case c == '!':
			t[c] = clsInner // also a boundary when it ends a word or stands alone
		case c == '|', c == '*':
			t[c] = clsInner
		case c == '\'', c == '`':
			t[c] = clsApos
		case c == '.', c == '?', c == ';', c == ':', c == '\n', c == '\r':
			t[c] = clsBoundary
		default:
			t[c] = clsSep
		}
	}
	return t
}()

// leet maps the digits and symbols read as letters inside a word.
var leet = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for from, to := range map[byte]byte{
		'0': 'o', '1': ambiguous, '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g',
		'@': 'a', '$': 's', '!': 'i', '|': ambiguous,
	} {
		t[from] = to
	}
	return t
}()

// latinFold holds the ASCII form of the letters of Latin-1 Supplement and Latin Extended-A
// and B (U+00C0–U+024F); "" for those that are not letters.
var latinFold = func() (t [0x250 - 0xC0]string) {
	groups := []struct{ letters, ascii string }{
		{"ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎǺǻȀȁȂȃȦȧ", "a"},
		{"ÆæǼǽ", "ae"},
		{"ÇçĆćĈĉĊċČč", "c"},
		{"ĎďĐđÐð", "d"},
		{"ÈÉÊËèéêëĒēĔĕĖėĘęĚěȄȅȆȇȨȩ", "e"},
		{"ĜĝĞğĠġĢģǦǧ", "g"},
		{"ĤĥĦħ", "h"},
		{"ÌÍÎÏìíîïĨĩĪīĬĭĮįİıǏǐȈȉȊȋ", "i"},
		{"Ĳĳ", "ij"},
		{"Ĵĵ", "j"},
		{"Ķķĸ", "k"},
		{"ĹĺĻļĽľĿŀŁł", "l"},
		{"ÑñŃńŅņŇňŉŊŋ", "n"},
		{"ÒÓÔÕÖØòóôõöøŌōŎŏŐőǑǒǾǿȌȍȎȏȪȫȬȭȮȯȰȱ", "o"},
		{"Œœ", "oe"},
		{"ŔŕŖŗŘřȐȑȒȓ", "r"},
		{"ŚśŜŝŞşŠšȘș", "s"},
		{"ß", "ss"},
		{"ŢţŤťŦŧȚț", "t"},
		{"ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųǓǔǕǖǗǘǙǚǛǜȔȕȖȗ", "u"},
		{"Ŵŵ", "w"},
		{"ÝýÿŶŷŸȲȳ", "y"},
		{"ŹźŻżŽž", "z"},
		{"Þþ", "th"},
	}
	for _, g := range groups {
		for _, r := range g.letters {
			t[r-0xC0] = g.ascii
		}
	}
	return t
}()

// homoglyphs are letters of other alphabets that pass for Latin ones in a Latin word.
var homoglyphs = map[rune]byte{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's',
	'А': 'a', 'В': 'b', 'Е': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p', 'С': 'c',
	'Т': 't', 'У': 'y', 'Х': 'x', 'І': 'i', 'Ј': 'j', 'Ѕ': 's',
	'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
	'χ': 'x', 'ν': 'v', 'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n',
	'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Χ': 'x', 'Υ': 'y', 'Ζ': 'z', 'Η': 'h',
	'€': 'e', '£': 'l', '¢': 'c', '¡': 'i',
}

// foldRune classifies a non-ASCII rune. For a letter with an ASCII form, it returns that
// form; for another letter, "" (the caller keeps the lower-case rune: such a word never
// matches, but stays one word).
func foldRune(r rune) (cls uint8, ascii string, b byte) {
	switch {
	case r >= 0xC0 && r < 0x250:
		if s := latinFold[r-0xC0]; s != "" {
			return clsLetter, s, 0
		}
		if r == 0xD7 || r == 0xF7 { // × ÷
			return clsSep, "", 0
		}
		return clsLetter, "", 0
	case r >= 0x300 && r < 0x370, // combining accents of decomposed text
		r == 0xAD,                  // soft hyphen
		r >= 0x200B && r <= 0x200F, // zero-width spaces and joiners, direction marks
		r == 0x2060, r == 0xFEFF,   // word joiner, byte order mark
		r >= 0xFE00 && r <= 0xFE0F: // variation selectors
		return clsIgnore, "", 0
	case r == 0x2019 || r == 0x2018 || r == 0x02BC || r == 0x00B4: // ’ ‘ ʼ ´
		return clsApos, "", 0
	case r >= 0xFF21 && r <= 0xFF3A: // fullwidth A-Z
		return clsLetter, "", byte(r-0xFF21) + 'a'
	case r >= 0xFF41 && r <= 0xFF5A: // fullwidth a-z
		return clsLetter, "", byte(r-0xFF41) + 'a'
	case r >= 0xFF10 && r <= 0xFF19: // fullwidth digits
		return clsLeet, "", byte(r-0xFF10) + '0'
	case r >= 0x24B6 && r <= 0x24CF: // Ⓐ-Ⓩ
		return clsLetter, "", byte(r-0x24B6) + 'a'
	case r >= 0x24D0 && r <= 0x24E9: // ⓐ-ⓩ
		return clsLetter, "", byte(r-0x24D0) + 'a'
	case r >= 0x1D400 && r <= 0x1D6A3: // mathematical bold, italic, script… A-Z a-z
		return clsLetter, "", byte((r-0x1D400)%52%26) + 'a'
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical digits
		return clsLeet, "", byte((r-0x1D7CE)%10) + '0'
	}
	if c, ok := homoglyphs[r]; ok {
		if c == 'e' && r == '€' || c == 'l' && r == '£' || c == 'c' && r == '¢' || c == 'i' && r == '¡' {
			return clsLeet, "", c
		}
		return clsLetter, "", c
	}
	switch {
	case unicode.IsLetter(r):
		return clsLetter, "", 0
	case unicode.IsMark(r):
		return clsIgnore, "", 0
	case unicode.IsSpace(r), unicode.IsPunct(r) && !isSentenceEnd(r):
		return clsSep, "", 0
	}
	return clsBoundary, "", 0 // emoji, symbols, sentence ends (… ！ ？ 。)
}

func isSentenceEnd(r rune) bool {
	return r == '…' || r == '！' || r == '？' || r == '。' || r == '¿' || r == '‼' || r == '⁉'
}

// tokenize cuts text into s.toks, normalised into s.buf.
func (s *scratch) tokenize(text string) {
	s.buf = s.buf[:0]
	s.toks = s.toks[:0]
	start := -1      // start in buf of the word being read, -1 between words
	boundary := true // a sentence boundary since the last word
	s.gap, s.gapSpace, s.gapComma = 0, false, false
	for i := 0; i < len(text); {
		c := text[i]
		var cls uint8
		var ascii string
		var b byte
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
			i++
			if cls == clsLetter {
				b = c | 0x20 // lower case
			} else {
				b = c
			}
		} else {
			r, n := utf8.DecodeRuneInString(text[i:])
			cls, ascii, b = foldRune(r)
			if cls == clsSep && unicode.IsSpace(r) {
				b = ' '
			}
			if cls == clsLetter && ascii == "" && b == 0 {
				// A letter without an ASCII form: kept, lower-cased, so that its word stays
				// one word; such a word never matches.
				if start < 0 {
					start = len(s.buf)
				}
				s.buf = utf8.AppendRune(s.buf, unicode.ToLower(r))
				i += n
				continue
			}
			i += n
		}
		switch cls {
		case clsLetter, clsLeet:
			if start < 0 {
				start = len(s.buf)
			}
			if ascii != "" {
				s.buf = append(s.buf, ascii...)
			} else {
				s.buf = append(s.buf, b)
			}
		case clsInner:
			if start >= 0 {
				s.buf = append(s.buf, b)
			} else {
				s.separator(b)
				if b == '!' {
					boundary = true
				}
			}
		case clsIgnore:
		case clsApos:
			if start >= 0 {
				boundary = s.closeToken(start, boundary, true)
				start = -1
			}
			s.separator(b)
		case clsBoundary:
			if start >= 0 {
				s.closeToken(start, boundary, false)
				start = -1
			}
			s.separator(b)
			boundary = true
		default:
			if start >= 0 {
				boundary = s.closeToken(start, boundary, false)
				start = -1
			}
			s.separator(b)
		}
	}
	if start >= 0 {
		s.closeToken(start, boundary, false)
	}
	for i := range s.toks {
		if i+1 == len(s.toks) || s.toks[i+1].flags&tokBoundaryBefore != 0 {
			s.toks[i].flags |= tokBoundaryAfter
		}
	}
}

// separator counts a character between words.
func (s *scratch) separator(b byte) {
	if s.gap < 255 {
		s.gap++
	}
	s.gapSpace = s.gapSpace || b == ' ' || b == '\t' || b == '\n' || b == '\r'
	s.gapComma = s.gapComma || b == ','
}

// closeToken finishes the word buf[start:]: it trims the symbols that only belong inside a
// word, reads leetspeak when the word has letters, and records it. It reports whether a
// sentence boundary follows (a trailing "!"), or, when no word is left, whether one is
// still pending.
func (s *scratch) closeToken(start int, boundary, apostrophe bool) bool {
	w := s.buf[start:]
	bang := false
	for len(w) > 0 && (w[len(w)-1] == '!' || w[len(w)-1] == '|') {
		bang = bang || w[len(w)-1] == '!'
		w = w[:len(w)-1]
	}
	s.buf = s.buf[:start+len(w)]
	if len(w) == 0 {
		return boundary || bang
	}
	t := token{start: int32(start), end: int32(start + len(w)), gap: s.gap, gapSpace: s.gapSpace}
	if boundary {
		t.flags |= tokBoundaryBefore
	}
	if s.gapComma {
		t.flags |= tokCommaBefore
	}
	s.gap, s.gapSpace, s.gapComma = 0, false, false
	if apostrophe {
		t.flags |= tokApostrophe
	}
	letters := 0
	for _, c := range w {
		if c >= 'a' && c <= 'z' || c >= utf8.RuneSelf {
			letters++
		}
	}
	switch {
	case letters == 0 && len(w) == 1:
		// A lone digit or symbol: not a word, but "c 0 n" may join it into one.
		t.flags |= tokNoWord | tokGlue
		w[0] = leet[w[0]]
		if w[0] == ambiguous {
			t.flags |= tokAmbiguous
		}
	case letters == 0:
		t.flags |= tokNoWord
	default:
		for i, c := range w {
			switch m := leet[c]; {
			case m == ambiguous:
				t.flags |= tokAmbiguous
				w[i] = m
			case c == '*':
				t.flags |= tokMasked
			default:
				w[i] = m
			}
		}
		if len(w) == 1 {
			t.flags |= tokGlue
			t.letters = 1
		}
	}
	s.toks = append(s.toks, t)
	return bang
}
