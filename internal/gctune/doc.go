// Package gctune sets the pace of the Go garbage collector for a relance process.
//
// relance allocates a few kilobytes per event (decoded events, streaks, output records,
// Redis replies) over a small live heap that is mostly its pair cache, so at Go's default
// pace (GOGC=100) it collected some ten times a second under load and spent about a
// seventh of its CPU marking the same cache again. A slower pace trades memory the
// process has to spare for that CPU; GOGC and GOMEMLIMIT in the environment still win.
package gctune
