package policy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// decisionID derives an output's id from what the decision is about, so the same
// decision taken again (redelivery, restart, replay) has the same id and consumers can
// drop duplicates. Each part is length-prefixed: ("ab", "c") and ("a", "bc") differ.
// 128 bits of SHA-256 keep collisions out of reach.
func decisionID(parts ...string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
