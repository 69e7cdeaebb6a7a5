package gctune

import (
	"runtime/debug"
	"strconv"
)

// Percent is relance's GOGC when the environment sets none: the heap may grow to five
// times what is live before a collection. Measured with make bench: relance's CPU per
// event 15% lower, its peak RSS about 80 MiB higher (docs/BENCHMARKS.md).
const Percent = 400

// Default sets the collector's percent to Percent unless getenv("GOGC") is set (the Go
// runtime has applied it then), and returns the percent in effect; -1 means off.
func Default(getenv func(string) string) int {
	if v := getenv("GOGC"); v != "" {
		if v == "off" {
			return -1
		}
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		return 100 // the runtime ignores a GOGC it cannot parse
	}
	debug.SetGCPercent(Percent)
	return Percent
}
