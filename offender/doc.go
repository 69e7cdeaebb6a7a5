// Package offender is relance's repeat-offender algorithm: per sender, over the policy's
// window, the distinct members the sender pestered (a streak of theirs reached the nudge
// level), was blocked by, and was reported by, and the levels those counts cross. Like
// package streak it does no I/O: package state keeps one encoded Record per sender (in a
// hash slot of its own on a Cluster) and runs this same code, written only when a pair
// gives a signal.
//
// A Record is bounded whatever a sender does: per kind, at most as many members as its
// highest level (the newest signals; the rest cannot change a crossing), and members whose
// last signal left the window are forgotten, so a count can fall back below a level and
// cross it again. A signal seen before (same
// kind, member and time: a redelivery) changes nothing and replays the levels it crossed
// the first time, so its alerts are published again with the same ids.
package offender
