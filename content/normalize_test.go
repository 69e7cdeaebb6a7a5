package content

import (
	"slices"
	"testing"
)

// TestTokenizeNormalises shows the words the tokeniser makes of how people write.
func TestTokenizeNormalises(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"case and accents", "Ça VA Très BIEN", []string{"ca", "va", "tres", "bien"}},
		{"ligatures and ß", "sœur Straße", []string{"soeur", "strasse"}},
		{"decomposed accents", "e\u0301te\u0301", []string{"ete"}},
		{"apostrophes cut elided words", "t'es j’vais", []string{"t", "es", "j", "vais"}},
		{"leetspeak inside a word", "c0nn4rd s@l0p3 $exy", []string{"connard", "salope", "sexy"}},
		{"ambiguous 1 kept for the lookup", "b1te", []string{"b\x01te"}},
		{"symbols only inside a word", "b!tch!!! *wow*", []string{"bitch", "wow*"}},
		{"masking star kept", "f*ck", []string{"f*ck"}},
		{"separated letters stay separate", "c.o.n", []string{"c", "o", "n"}},
		{"invisible characters dropped", "con\u200bnard sa\u00adlope", []string{"connard", "salope"}},
		{"cyrillic look-alikes", "сonnаrd", []string{"connard"}},
		{"fullwidth", "ｃｏｎ", []string{"con"}},
		{"styled letters", "𝐜𝐨𝐧", []string{"con"}},
		{"circled letters", "ⓒⓞⓝ", []string{"con"}},
		{"emoji separate words", "salut😀toi", []string{"salut", "toi"}},
		{"other alphabets kept whole", "مرحبا 世界", []string{"مرحبا", "世界"}},
		{"invalid UTF-8 separates", "con\xffnard", []string{"con", "nard"}},
	}
	var s scratch
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.tokenize(tt.text)
			var got []string
			for _, tok := range s.toks {
				got = append(got, string(s.buf[tok.start:tok.end]))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("tokenize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTokenizeLeavesNumbersAlone(t *testing.T) {
	var s scratch
	s.tokenize("30 ans, 3 chats, h24")
	var words []string
	for _, tok := range s.toks {
		if tok.flags&tokNoWord == 0 {
			words = append(words, string(s.buf[tok.start:tok.end]))
		}
	}
	// A lone digit may still join separated letters ("c 0 n"), but is no word itself.
	if want := []string{"ans", "chats", "h2a"}; !slices.Equal(words, want) {
		t.Errorf("words of %q = %q, want %q", "30 ans, 3 chats, h24", words, want)
	}
}

func TestTokenizeMarksSentenceBoundaries(t *testing.T) {
	var s scratch
	s.tokenize("ok. die! you, there")
	var before, after []bool
	for _, tok := range s.toks {
		before = append(before, tok.flags&tokBoundaryBefore != 0)
		after = append(after, tok.flags&tokBoundaryAfter != 0)
	}
	if want := []bool{true, true, true, false}; !slices.Equal(before, want) {
		t.Errorf("boundary before: %v, want %v", before, want)
	}
	if want := []bool{true, true, false, true}; !slices.Equal(after, want) {
		t.Errorf("boundary after: %v, want %v", after, want)
	}
}

func TestInflect(t *testing.T) {
	tests := []struct {
		lang, word string
		want       []string
	}{
		{"fr", "connard", []string{"connard", "connards", "connarde", "connardes"}},
		{"fr", "con", []string{"con", "cons", "conne", "connes"}},
		{"fr", "enculé", []string{"enculé", "enculés", "enculée", "enculées"}},
		{"fr", "salope", []string{"salope", "salopes"}},
		{"fr", "menteur", []string{"menteur", "menteurs", "menteuse", "menteuses", "menteure", "menteures"}},
		{"fr", "gros", []string{"gros", "grose", "groses", "grosse", "grosses"}},
		{"en", "bitch", []string{"bitch", "bitches"}},
		{"en", "pussy", []string{"pussy", "pussys", "pussies"}},
		{"en", "slut", []string{"slut", "sluts"}},
		{"de", "wort", []string{"wort"}},
	}
	for _, tt := range tests {
		if got := inflectWord(tt.lang, tt.word); !slices.Equal(got, tt.want) {
			t.Errorf("inflectWord(%s, %s) = %q, want %q", tt.lang, tt.word, got, tt.want)
		}
	}
}
