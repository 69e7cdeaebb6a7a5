// Package scriptstore is relance's first streak store: one Lua script per observation
// (apply.lua) over four Redis structures per direction, about twenty commands and ~45 µs
// of Redis CPU each. Package state replaced it with an algorithm in Go and two round trips
// per batch; this one is kept as an independent reference the state tests compare every
// Streak with, and as the benchmark's naive design (one call per event).
package scriptstore
