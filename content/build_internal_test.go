package content

import "testing"

// BenchmarkBuild compiles the built-in lists (the part of New before the model, which the
// built-in Checker trains once per process).
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
