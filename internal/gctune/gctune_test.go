package gctune

import (
	"runtime/debug"
	"testing"
)

// current reads the collector's percent (setting it back at once).
func current() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestDefaultSetsRelancesPaceWhenTheEnvironmentSetsNone(t *testing.T) {
	defer debug.SetGCPercent(current())
	debug.SetGCPercent(100)
	if got := Default(func(string) string { return "" }); got != Percent {
		t.Errorf("Default = %d, want %d", got, Percent)
	}
	if got := current(); got != Percent {
		t.Errorf("collector percent %d, want %d", got, Percent)
	}
}

func TestDefaultLeavesTheEnvironmentsChoice(t *testing.T) {
	defer debug.SetGCPercent(current())
	debug.SetGCPercent(150) // as the runtime would have from GOGC=150
	for env, want := range map[string]int{"150": 150, "off": -1, "lots": 100} {
		if got := Default(func(k string) string {
			if k == "GOGC" {
				return env
			}
			return ""
		}); got != want {
			t.Errorf("GOGC=%s: Default = %d, want %d", env, got, want)
		}
		if got := current(); got != 150 {
			t.Errorf("GOGC=%s: collector percent changed to %d", env, got)
		}
	}
}
