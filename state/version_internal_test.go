package state

import "testing"

func TestTooOld(t *testing.T) {
	for _, tt := range []struct {
		info string
		old  bool
	}{
		{"# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n", false},
		{"# Server\r\nredis_version:7.4.1\r\n", false},
		{"# Server\r\nredis_version:8.0.0\r\n", false},
		{"# Server\r\nredis_version:6.2.14\r\n", true},
		{"# Server\r\nredis_version:5.0.7\r\n", true},
		{"# Server\r\nredis_mode:standalone\r\n", false}, // cannot tell: taken as it is
		{"redis_version:unknown\r\n", false},
	} {
		if _, old := tooOld(tt.info); old != tt.old {
			t.Errorf("%q: too old %v, want %v", tt.info, old, tt.old)
		}
	}
}
