package state

import "sync"

// absentGuess decides, for one kind of record, whether the records missing from the cache
// are worth reading before they are written. Where a warm cache holds every record that
// exists (a processor that has run for a while on its partitions), the records it misses
// are new ones: a read finds nothing and only costs a round trip on the batch's path.
// Taken as absent instead, they are written with NX, which writes nothing over a record
// that exists; one that does is reported changed, read, and redone, as after a conflict.
// A wrong guess costs a batch one more round trip than reading first, a right one saves
// one, so the store guesses only while a batch's misses are expected to hold less than
// half a record that exists, by what recent reads and guesses found.
type absentGuess struct {
	mu sync.Mutex
	// looked and found count the records read or guessed lately and those that existed,
	// halved together as looked passes guessWindow, so that the share follows the traffic.
	looked, found float64
}

// guessWindow is about how many recent records the share is measured on, and guessWarmUp
// how many must have been seen before the store guesses at all (none at start: a cold
// cache misses records that exist).
const (
	guessWindow = 20_000
	guessWarmUp = 2_000
)

// worthIt reports whether n records missing from the cache should be taken as absent.
func (g *absentGuess) worthIt(n int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.looked >= guessWarmUp && float64(n)*(g.found+1)/g.looked < 0.5
}

// saw counts n records read or guessed, of which found existed.
func (g *absentGuess) saw(n, found int) {
	if n == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.looked += float64(n)
	g.found += float64(found)
	if g.looked > guessWindow {
		g.looked /= 2
		g.found /= 2
	}
}
