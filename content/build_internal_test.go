package content

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkBuild compiles the built-in lists: the part of the first New before the model is
// trained (the later ones share both).
func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		var bl builder
		if err := bl.readBuiltin(); err != nil {
			b.Fatal(err)
		}
		if _, err := bl.build(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNewSharesTheBuiltinLists checks that Checkers of the built-in lists share one
// compiled automaton and model, and that an operator's file gets its own.
func TestNewSharesTheBuiltinLists(t *testing.T) {
	a, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a.compiled != b.compiled || a.compiled != Default().compiled {
		t.Errorf("two Checkers of the built-in lists: %p and %p, compiled %p and %p: want two Checkers sharing one", a, b, a.compiled, b.compiled)
	}
	name := filepath.Join(t.TempDir(), "extra.tsv")
	if err := os.WriteFile(name, []byte("add\ten\tzorblat\tinsult\tlow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{ExtraFile: name})
	if err != nil {
		t.Fatal(err)
	}
	if e.compiled == a.compiled {
		t.Error("a Checker with an operator's file shares the built-in lists' automaton")
	}
	if got := e.Find("zorblat", "en"); len(got) != 1 || a.Find("zorblat", "en") != nil {
		t.Errorf("zorblat: %v with the file, %v without: want insult, nothing", got, a.Find("zorblat", "en"))
	}
}
