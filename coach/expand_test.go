package coach

import (
	"strings"
	"testing"

	"github.com/relance/relance/topics"
)

// expand replaces placeholders as strings.Replacer does, on every text and variant, and
// on strings with lone braces, placeholders at either end, and a value that holds a
// placeholder (which is not replaced again).
func TestExpandIsReplace(t *testing.T) {
	pairs := []string{"{coach}", "Lou {url}", "{streak}", "S {followups}", "{these}", "", "{url}", "https://x/{y}"}
	inputs := []string{"", "{", "}", "{{coach}}", "{coach}", "a{coach}b{url}c{", "{coac", "{these}{these}", "x{unknown}y"}
	for _, byKind := range texts {
		for _, tx := range byKind {
			inputs = append(inputs, tx.title, tx.body, tx.streak.followUps, tx.streak.flood, tx.these.followUps, tx.these.flood)
		}
	}
	r := strings.NewReplacer(pairs...)
	for _, in := range inputs {
		if got, want := expand(in, pairs), r.Replace(in); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	m := Message{Kind: topics.KindCheckIn, Reason: ReasonPestering, Unanswered: 5, Attempts: 4}
	b.ReportAllocs()
	for b.Loop() {
		Render("fr", m)
	}
}
