package content_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/content"
)

// TestMinimalAutomatonFindsWhatTheTrieFinds checks that merging the automaton's equal
// nodes changes nothing that a check finds, on every labelled message of testdata/ and
// its spellings, with and without a locale, for the built-in lists and for lists with an
// operator's additions and removals.
func TestMinimalAutomatonFindsWhatTheTrieFinds(t *testing.T) {
	if raceEnabled {
		t.Skip("one goroutine: the race detector finds nothing here, and makes it half a minute")
	}
	extra := writeFile(t, "extra.tsv", extraEntries)
	for _, cfg := range []content.Config{{}, {ExtraFile: extra}} {
		minimal, err := content.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		trie, err := content.NewUnmerged(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if minimal.Nodes()*10 > trie.Nodes() {
			t.Errorf("%+v: %d nodes merged, %d not: want the merged automaton ten times smaller at least", cfg, minimal.Nodes(), trie.Nodes())
		}
		differ := 0
		forEachMessage(t, func(name string, line int, text, locale string) {
			if got, want := minimal.Find(text, locale), trie.Find(text, locale); !slices.Equal(got, want) {
				if differ++; differ <= 10 {
					t.Errorf("%+v: %s:%d %q, locale %q: %v, the trie finds %v", cfg, name, line, text, locale, got, want)
				}
			}
		})
	}
}

// extraEntries is an operator's file with additions and removals.
const extraEntries = "add\tfr\tgros naze\tinsult\tmedium\n" +
	"add\t*\tzorglub\thate\thigh\tinflect\n" +
	"add\ten\t@iwill tickle you\tthreat\tlow\n" +
	"remove\tfr\tbite\n" +
	"remove\ten\tnudes\tsexual\n"

// forEachMessage calls f with every labelled message of testdata/ and its spellings, with
// the locale of its file and without one.
func forEachMessage(t *testing.T, f func(name string, line int, text, locale string)) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		lang := strings.TrimSuffix(filepath.Base(name), ".tsv")
		lang = lang[strings.Index(lang, "_")+1:]
		lang, _, _ = strings.Cut(lang, "_")
		for _, s := range readSamples(t, name) {
			for _, text := range spellings(s.text) {
				for _, locale := range []string{lang, ""} {
					f(filepath.Base(name), s.line, text, locale)
				}
			}
		}
	}
}

// TestOutputsDump writes what Find returns for every labelled message of testdata/, and
// for spelling variants of it that reach the lookup's other paths (upper case, repeated
// and masked letters, separated letters), with the message's locale and without one, by
// the built-in lists and by lists with an operator's file. Two dumps compared before and
// after a change to the compiler or the matcher show that the change finds the same:
//
//	RELANCE_OUTPUTS=/tmp/before.txt go test -run TestOutputsDump ./content/
func TestOutputsDump(t *testing.T) {
	out := os.Getenv("RELANCE_OUTPUTS")
	if out == "" {
		t.Skip("set RELANCE_OUTPUTS to a file to write the outputs to")
	}
	extra, err := content.New(content.Config{ExtraFile: writeFile(t, "extra.tsv", extraEntries)})
	if err != nil {
		t.Fatal(err)
	}
	checkers := []struct {
		name string
		c    *content.Checker
	}{{"builtin", content.Default()}, {"extra", extra}}
	var b strings.Builder
	n := 0
	variant := map[string]int{}
	forEachMessage(t, func(name string, line int, text, locale string) {
		key := fmt.Sprintf("%s:%d %q", name, line, locale)
		for _, ch := range checkers {
			fmt.Fprintf(&b, "%s:%d v%d %q %s %v\n", name, line, variant[key], locale, ch.name, ch.c.Find(text, locale))
			n++
		}
		variant[key]++
	})
	if err := os.WriteFile(out, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d outputs, sha256 %x", n, sha256.Sum256([]byte(b.String())))
}

// spellings returns text and variants of it: upper case, every word's last letter
// repeated, every word of four letters or more with its second letter masked, and every
// word of two to six letters spelled with dots between its letters.
func spellings(text string) []string {
	words := strings.Fields(text)
	variant := func(f func(string) string) string {
		out := make([]string, len(words))
		for i, w := range words {
			out[i] = f(w)
		}
		return strings.Join(out, " ")
	}
	return []string{
		text,
		strings.ToUpper(text),
		variant(func(w string) string { return w + strings.Repeat(w[len(w)-1:], 3) }),
		variant(func(w string) string {
			if len(w) < 4 {
				return w
			}
			return w[:1] + "*" + w[2:]
		}),
		variant(func(w string) string {
			if len(w) < 2 || len(w) > 6 {
				return w
			}
			return strings.Join(strings.Split(w, ""), ".")
		}),
	}
}
