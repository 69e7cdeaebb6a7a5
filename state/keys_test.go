package state

import "testing"

// The tools recognise exactly the keys the store names: the length prefix splits the ids
// whatever bytes they hold, and a key that only looks like a pair's is not taken for one.
func TestParsePairKey(t *testing.T) {
	for _, ids := range [][2]string{{"alice", "bob"}, {"bob", "alice"}, {"1:2", "12"}, {"a}:p:1:b", "c"}, {"é", "e*?[]\\"}} {
		key := pairKey("relance", ids[0], ids[1])
		low, high, ok := parsePairKey("relance", key)
		want := ids
		if want[1] < want[0] {
			want[0], want[1] = want[1], want[0]
		}
		if !ok || low != want[0] || high != want[1] {
			t.Errorf("%q: parsed %q, %q, %v; want %q", key, low, high, ok, want)
		}
		if _, _, ok := parsePairKey("relance:x", key); ok {
			t.Errorf("%q parsed under another prefix", key)
		}
		if !isSenderKey("relance", senderKey("relance", ids[0])) || isSenderKey("relance", key) {
			t.Errorf("%q: sender keys misrecognised", ids)
		}
	}
	good := pairKey("relance", "alice", "bob")
	for _, bad := range []string{
		"relance:{" + pairTag("alice", "bob") + "}:p:05:alicebob", // not how the store writes 5
		"relance:{" + pairTag("alice", "bob") + "}:p:3:alicebob",  // splits into another pair, whose tag differs
		"relance:{" + pairTag("alice", "bob") + "}:p:8:alicebob",  // no second member
		"relance:{0000000000000000}:p:5:alicebob",                 // not the pair's tag
		"relance:{" + pairTag("alice", "bob") + "}:s:5:alicebob",
		good[:len(good)-1],
	} {
		if low, high, ok := parsePairKey("relance", bad); ok {
			t.Errorf("%q parsed as %q, %q", bad, low, high)
		}
	}
	if got := globEscape(`a*b?c[d]e\f`); got != `a\*b\?c\[d\]e\\f` {
		t.Errorf("globEscape = %q", got)
	}
}
