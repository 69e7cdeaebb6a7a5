package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestJitterSpreadsOverTheUpperHalf(t *testing.T) {
	for _, d := range []time.Duration{2, time.Millisecond, 64 * time.Millisecond, 10 * time.Second} {
		lo, hi := d, time.Duration(0)
		for range 500 {
			j := Jitter(d)
			lo, hi = min(lo, j), max(hi, j)
		}
		if lo < d/2 || hi > d {
			t.Errorf("Jitter(%v) from %v to %v, want within [%v, %v]", d, lo, hi, d/2, d)
		}
		if lo == hi {
			t.Errorf("Jitter(%v) is always %v: no spread", d, lo)
		}
	}
	for _, d := range []time.Duration{0, 1} {
		if got := Jitter(d); got != d {
			t.Errorf("Jitter(%v) = %v", d, got)
		}
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context: %v, want context.Canceled at once", err)
	}
	if err := Sleep(context.Background(), time.Microsecond); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
}
