package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Set at build time by the Dockerfile and `make build`:
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234 -X main.date=2026-11-23T10:00:00Z"
var (
	version = "dev"
	commit  = "unknown"
	date    = "unknown"
)

// buildInfo is what `relance version` prints.
type buildInfo struct {
	Version, Commit, Date, Go string
	Modified                  bool
}

// currentBuild takes the values set by -ldflags, falling back on what the Go toolchain
// recorded from version control (vcs.revision, vcs.time) for a plain `go build`.
func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "unknown" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "unknown" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func (b buildInfo) write(w io.Writer) error {
	c := b.Commit
	if b.Modified && c != "unknown" {
		c += " (modified)"
	}
	_, err := fmt.Fprintf(w, "relance %s\ncommit: %s\nbuilt:  %s\ngo:     %s\n", b.Version, c, b.Date, b.Go)
	return err
}
