package state

import (
	"testing"
	"time"
)

// Writers that collide wait a doubling delay, capped (and jittered): the sixteen attempts
// give other writers time to finish without holding a batch for long.
func TestRetryDelayDoublesUpToItsCap(t *testing.T) {
	var total time.Duration
	for attempt := 1; attempt < maxAttempts; attempt++ {
		want := min(time.Millisecond<<(attempt-1), maxBackoff)
		if got := retryDelay(attempt); got != want {
			t.Errorf("attempt %d: %v, want %v", attempt, got, want)
		}
		total += retryDelay(attempt)
	}
	if total < 300*time.Millisecond || total > time.Second {
		t.Errorf("all attempts wait up to %v, want between 300 ms and 1 s", total)
	}
}
