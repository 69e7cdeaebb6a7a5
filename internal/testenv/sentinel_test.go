package testenv

import (
	"strings"
	"testing"
)

// A Sentinel with a password of its own answers only clients that AUTH with it: with a
// user, as that user.
func TestRedisSentinelRequiresItsPassword(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		wrong      redisClient
	}{
		{"requirepass", "", redisClient{user: "default", password: "wrong"}},
		{"acl user", "watcher", redisClient{user: "default", password: "s3cret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := StartRedisSentinelWith(t, SentinelConfig{MasterName: "m", User: tc.user, Password: "s3cret"})
			if got, err := f.Sentinel.Master(); err != nil || got != f.Master.Addr() {
				t.Fatalf("sentinel's master = %q, %v; want %s", got, err, f.Master.Addr())
			}
			if _, err := redisCommand(f.Sentinel.Addr(), "SENTINEL MASTERS"); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
				t.Errorf("SENTINEL MASTERS without AUTH: %v, want NOAUTH", err)
			}
			if _, err := tc.wrong.command(f.Sentinel.Addr(), "PING"); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
				t.Errorf("PING as %s with a wrong password: %v, want WRONGPASS", tc.wrong.user, err)
			}
		})
	}
}
