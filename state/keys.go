package state

import (
	"strconv"
	"strings"
)

// The tools (Inspect, Forget) name and recognise keys with these; the store's kinds build
// the same names in group (record.go), and the tools' tests check both agree by finding
// what Apply wrote.

// pairKey is the key of the unordered pair {a, b} under prefix.
func pairKey(prefix, a, b string) string {
	if b < a {
		a, b = b, a
	}
	key, _ := pairKeyTag(prefix, a, b)
	return key
}

// pairKeyTag is the key of the pair {low, high} under prefix, low < high, and its hash
// tag, a substring of it: one allocation for both.
func pairKeyTag(prefix, low, high string) (key, tag string) {
	var hex [tagLen]byte
	appendPairTag(hex[:0], low, high)
	key = prefix + ":{" + string(hex[:]) + "}:p:" + strconv.Itoa(len(low)) + ":" + low + high
	return key, key[len(prefix)+2 : len(prefix)+2+tagLen]
}

// senderKey is the key of member's sender record under prefix.
func senderKey(prefix, member string) string {
	return prefix + ":{" + senderTag(member) + "}:s:" + strconv.Itoa(len(member)) + ":" + member
}

// parsePairKey returns the members of the pair key holds under prefix, low first, and
// whether key is one: its length prefix splits the ids whatever bytes they hold, and its
// hash tag must be theirs, so a key that only looks like a pair's is not taken for one.
func parsePairKey(prefix, key string) (low, high string, ok bool) {
	rest, ok := strings.CutPrefix(key, prefix+":{")
	if !ok || len(rest) < tagLen {
		return "", "", false
	}
	tag := rest[:tagLen]
	if rest, ok = strings.CutPrefix(rest[tagLen:], "}:p:"); !ok {
		return "", "", false
	}
	digits, ids, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 1 || n >= len(ids) || digits != strconv.Itoa(n) {
		return "", "", false
	}
	low, high = ids[:n], ids[n:]
	if low >= high || pairTag(low, high) != tag {
		return "", "", false
	}
	return low, high, true
}

// isSenderKey reports whether key is a sender record's key under prefix.
func isSenderKey(prefix, key string) bool {
	rest, ok := strings.CutPrefix(key, prefix+":{")
	if !ok || len(rest) < tagLen {
		return false
	}
	rest, ok = strings.CutPrefix(rest[tagLen:], "}:s:")
	if !ok {
		return false
	}
	digits, member, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(digits)
	return ok && err == nil && n == len(member) && n > 0 && senderKey(prefix, member) == key
}

// globEscape escapes s for a SCAN MATCH pattern, so that ids and prefixes match only
// themselves.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
