package content_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/content"
)

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
	extra, err := content.New(content.Config{ExtraFile: writeFile(t, "extra.tsv",
		"add\tfr\tgros naze\tinsult\tmedium\n"+
			"add\t*\tzorglub\thate\thigh\tinflect\n"+
			"add\ten\t@iwill tickle you\tthreat\tlow\n"+
			"remove\tfr\tbite\n"+
			"remove\ten\tnudes\tsexual\n")})
	if err != nil {
		t.Fatal(err)
	}
	checkers := []struct {
		name string
		c    *content.Checker
	}{{"builtin", content.Default()}, {"extra", extra}}
	names, err := filepath.Glob(filepath.Join("testdata", "*.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	n := 0
	for _, name := range names {
		lang := strings.TrimSuffix(filepath.Base(name), ".tsv")
		lang = lang[strings.Index(lang, "_")+1:]
		lang, _, _ = strings.Cut(lang, "_")
		for _, s := range readSamples(t, name) {
			for vi, text := range spellings(s.text) {
				for _, locale := range []string{lang, ""} {
					for _, ch := range checkers {
						fmt.Fprintf(&b, "%s:%d v%d %q %s %v\n", filepath.Base(name), s.line, vi, locale, ch.name, ch.c.Find(text, locale))
						n++
					}
				}
			}
		}
	}
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
