package state

import (
	"testing"
	"time"
)

// Writers that collide wait a doubling delay, capped (and jittered), however long they
// keep colliding.
func TestRetryDelayDoublesUpToItsCap(t *testing.T) {
	for attempt := 1; attempt < 40; attempt++ {
		want := min(time.Millisecond<<min(attempt-1, 16), maxBackoff)
		if got := retryDelay(attempt); got != want {
			t.Errorf("attempt %d: %v, want %v", attempt, got, want)
		}
	}
	if got := retryDelay(1000); got != maxBackoff {
		t.Errorf("attempt 1000: %v, want the cap %v", got, maxBackoff)
	}
}
