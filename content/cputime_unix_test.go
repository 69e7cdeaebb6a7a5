//go:build unix

package content_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, so that a benchmark on a shared
// machine can report its speed per core of CPU time as well as per second of wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
