package demo

import (
	"testing"
	"time"

	"github.com/relance/relance/topics"
)

func TestDebugPaceTiming(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := newCluster(t, names)
	startFakeRelance(t, brokers, names, fakeOptions{})
	start := time.Now()
	if err := Run(t.Context(), Config{Brokers: brokers, Pace: 20 * time.Millisecond, Exit: true}, newSyncBuffer()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("RUN %s", time.Since(start))
	t.Cleanup(func() { t.Logf("CLEANUP-START %s", time.Since(start)) })
}
