package policy_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/relance/relance/policy"
)

func TestCategories(t *testing.T) {
	tests := []struct {
		name        string
		labels      []string
		attachments [][]string
		want        []policy.Category
	}{
		{"none", nil, nil, nil},
		{"unknown labels ignored", []string{"spam", "flirt"}, [][]string{{"cat"}}, nil},
		{"each label", []string{"threat", "insult", "sexual", "hate"}, nil,
			[]policy.Category{policy.CategoryHate, policy.CategoryInsult, policy.CategorySexual, policy.CategoryThreat}},
		{"case and spaces", []string{" Insult ", "HATE"}, nil,
			[]policy.Category{policy.CategoryHate, policy.CategoryInsult}},
		{"duplicates", []string{"insult", "insult"}, nil, []policy.Category{policy.CategoryInsult}},
		{"nudity picture", nil, [][]string{{"nudity"}}, []policy.Category{policy.CategorySexual}},
		{"explicit picture", nil, [][]string{{"landscape"}, {"explicit"}}, []policy.Category{policy.CategorySexual}},
		{"sexual picture and label", []string{"sexual"}, [][]string{{"sexual", "nudity"}}, []policy.Category{policy.CategorySexual}},
		{"attachment insult label carries no rule", nil, [][]string{{"insult"}}, nil},
		{"label and picture", []string{"insult"}, [][]string{{"nudity"}},
			[]policy.Category{policy.CategoryInsult, policy.CategorySexual}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.Categories(tt.labels, tt.attachments); !slices.Equal(got, tt.want) {
				t.Errorf("Categories = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNoTextCheck(t *testing.T) {
	if got, err := policy.NoTextCheck.Check(t.Context(), "you idiot", "en"); got != nil || err != nil {
		t.Errorf("NoTextCheck = %q, %v", got, err)
	}
}

// fakeChecker answers each text's own name as its category and measures how many checks
// overlap. Its hooks run inside Check, between the in-flight count's increment and decrement.
type fakeChecker struct {
	calls, inFlight, maxInFlight atomic.Int32

	// during runs inside each check; nil answers at once.
	during func(ctx context.Context, text string, inFlight int32) error
}

func (f *fakeChecker) Check(ctx context.Context, text, _ string) ([]policy.Category, error) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for m := f.maxInFlight.Load(); n > m && !f.maxInFlight.CompareAndSwap(m, n); m = f.maxInFlight.Load() {
	}
	if f.during != nil {
		if err := f.during(ctx, text, n); err != nil {
			return nil, err
		}
	}
	return []policy.Category{policy.Category(text)}, nil
}

// concurrentFake is a fakeChecker that asks for n checks at once.
type concurrentFake struct {
	*fakeChecker
	n int
}

func (c concurrentFake) Concurrency() int { return c.n }

var _ policy.ConcurrentChecker = concurrentFake{}

func texts(n int) []policy.Text {
	out := make([]policy.Text, n)
	for i := range out {
		out[i] = policy.Text{Text: fmt.Sprint("t", i), Locale: "fr"}
	}
	return out
}

func wantInOrder(t *testing.T, got [][]policy.Category, in []policy.Text) {
	t.Helper()
	if len(got) != len(in) {
		t.Fatalf("%d results for %d texts", len(got), len(in))
	}
	for i, cats := range got {
		if !slices.Equal(cats, []policy.Category{policy.Category(in[i].Text)}) {
			t.Fatalf("result %d = %q, want text %q's", i, cats, in[i].Text)
		}
	}
}

// testCtx bounds a test's waits: a check that never ends fails the test instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor blocks until ch is closed or ctx ends.
func waitFor(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waited in vain: %w", ctx.Err())
	}
}

func TestCheckTextsKeepsOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	in := texts(20)
	// Check i ends only after check i+1 has: the concurrent checks end in reverse order.
	ended := make([]chan struct{}, len(in)+1)
	for i := range ended {
		ended[i] = make(chan struct{})
	}
	close(ended[len(in)])
	reverse := &fakeChecker{during: func(ctx context.Context, text string, _ int32) error {
		var i int
		fmt.Sscanf(text, "t%d", &i)
		defer close(ended[i])
		return waitFor(ctx, ended[i+1])
	}}
	tests := []struct {
		name    string
		checker policy.TextChecker
	}{
		{"serial", &fakeChecker{}},
		{"concurrent, ending in reverse order", concurrentFake{reverse, len(in)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.CheckTexts(testCtx(t), tt.checker, in)
			if err != nil {
				t.Fatal(err)
			}
			wantInOrder(t, got, in)
		})
	}
}

func TestCheckTextsNone(t *testing.T) {
	for _, c := range []policy.TextChecker{&fakeChecker{}, concurrentFake{&fakeChecker{}, 8}} {
		if got, err := policy.CheckTexts(t.Context(), c, nil); len(got) != 0 || err != nil {
			t.Errorf("CheckTexts(%T, nil) = %v, %v", c, got, err)
		}
	}
}

func TestCheckTextsBoundsConcurrency(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name        string
		concurrency int // 0: not a ConcurrentChecker
		want        int32
	}{
		{"plain checker runs serially", 0, 1},
		{"concurrency 1 runs serially", 1, 1},
		{"concurrency 4", 4, 4},
		{"concurrency above the batch", 1000, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The first checks wait until want of them are in flight, so a bound that is
			// not reached hangs until the deadline and fails.
			reached := make(chan struct{})
			var once sync.Once
			f := &fakeChecker{during: func(ctx context.Context, _ string, n int32) error {
				if n == tt.want {
					once.Do(func() { close(reached) })
				}
				return waitFor(ctx, reached)
			}}
			var c policy.TextChecker = f
			if tt.concurrency > 0 {
				c = concurrentFake{f, tt.concurrency}
			}
			in := texts(100)
			got, err := policy.CheckTexts(testCtx(t), c, in)
			if err != nil {
				t.Fatal(err)
			}
			wantInOrder(t, got, in)
			if m := f.maxInFlight.Load(); m != tt.want {
				t.Errorf("at most %d checks in flight, want %d", m, tt.want)
			}
			if f.calls.Load() != int32(len(in)) {
				t.Errorf("%d checks for %d texts", f.calls.Load(), len(in))
			}
		})
	}
}

func TestCheckTextsStopsAtTheFirstError(t *testing.T) {
	defer goleak.VerifyNone(t)
	errDown := errors.New("classifier down")
	tests := []struct {
		name      string
		checker   func(*fakeChecker) policy.TextChecker
		during    func(ctx context.Context, text string, _ int32) error
		wantCalls func(int32) bool
	}{
		{
			name:    "serial: no check after the failing one",
			checker: func(f *fakeChecker) policy.TextChecker { return f },
			during: func(_ context.Context, text string, _ int32) error {
				if text == "t3" {
					return errDown
				}
				return nil
			},
			wantCalls: func(n int32) bool { return n == 4 },
		},
		{
			// The other checks wait for ctx: only the first error cancels it, and no check
			// starts after it.
			name:    "concurrent: running checks cancelled, none started",
			checker: func(f *fakeChecker) policy.TextChecker { return concurrentFake{f, 4} },
			during: func(ctx context.Context, text string, _ int32) error {
				if text == "t0" {
					return errDown
				}
				<-ctx.Done()
				return ctx.Err()
			},
			wantCalls: func(n int32) bool { return n >= 1 && n <= 4 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeChecker{during: tt.during}
			got, err := policy.CheckTexts(testCtx(t), tt.checker(f), texts(50))
			if !errors.Is(err, errDown) || got != nil {
				t.Errorf("CheckTexts = %v, %v; want no results and %v", got, err, errDown)
			}
			if !tt.wantCalls(f.calls.Load()) {
				t.Errorf("%d checks ran", f.calls.Load())
			}
		})
	}
}

func TestCheckTextsEndsWithCtx(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name        string
		concurrency int
		// during cancels ctx at some point of the batch.
		during    func(cancel context.CancelFunc) func(ctx context.Context, text string, n int32) error
		wantCalls func(int32) bool
	}{
		{
			name: "serial: a check that ignores ctx is the last one",
			during: func(cancel context.CancelFunc) func(context.Context, string, int32) error {
				return func(_ context.Context, text string, _ int32) error {
					if text == "t2" {
						cancel()
					}
					return nil
				}
			},
			wantCalls: func(n int32) bool { return n == 3 },
		},
		{
			name:        "concurrent: checks in flight end with ctx",
			concurrency: 4,
			during: func(cancel context.CancelFunc) func(context.Context, string, int32) error {
				return func(ctx context.Context, _ string, n int32) error {
					if n == 4 {
						cancel()
					}
					<-ctx.Done()
					return ctx.Err()
				}
			},
			wantCalls: func(n int32) bool { return n == 4 },
		},
		{
			name:        "concurrent: ctx ended before the batch",
			concurrency: 4,
			during: func(cancel context.CancelFunc) func(context.Context, string, int32) error {
				cancel()
				return nil
			},
			wantCalls: func(n int32) bool { return n == 0 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			f := &fakeChecker{during: tt.during(cancel)}
			var c policy.TextChecker = f
			if tt.concurrency > 0 {
				c = concurrentFake{f, tt.concurrency}
			}
			got, err := policy.CheckTexts(ctx, c, texts(50))
			if !errors.Is(err, context.Canceled) || got != nil {
				t.Errorf("CheckTexts = %v, %v; want no results and context.Canceled", got, err)
			}
			if !tt.wantCalls(f.calls.Load()) {
				t.Errorf("%d checks ran", f.calls.Load())
			}
		})
	}
}
