package faults_test

import (
	"testing"

	"github.com/relance/relance/faults"
)

// Servers that restart on their port get ports no outgoing connection can take (below
// the ephemeral range, their cluster bus port too), and never the same one twice.
func TestStablePortsAreDistinctAndBelowTheEphemeralRange(t *testing.T) {
	seen := map[int]bool{}
	for range 500 {
		port, err := faults.StablePort()
		if err != nil {
			t.Fatal(err)
		}
		if port < 10000 || port >= 20000 {
			t.Fatalf("port %d: want one from 10000 up to 20000 (bus ports up to 30000, below the ephemeral range)", port)
		}
		if seen[port] {
			t.Fatalf("port %d handed out twice", port)
		}
		seen[port] = true
	}
}
