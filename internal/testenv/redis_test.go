package testenv

import (
	"context"
	"testing"
	"time"
)

// The fault rig kills and restarts redis-server on its port: with the AOF on the data
// survives kill -9, and Wipe empties it.
func TestRedisServerRestartsOnItsAOF(t *testing.T) {
	bin := redisLookPath(t, "redis-server")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := NewRedisServer(RedisConfig{Bin: bin, Dir: t.TempDir(), AOF: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	if _, err := redisCommand(s.Addr(), "SET k v"); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()

	s.Kill()
	if _, err := redisCommand(addr, "PING"); err == nil {
		t.Fatal("killed server still answers")
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := redisCommand(s.Addr(), "GET k"); err != nil || got != "v" || s.Addr() != addr {
		t.Fatalf("after kill -9 and start on %s: GET k = %q, %v; want v on %s", s.Addr(), got, err, addr)
	}

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := redisCommand(s.Addr(), "DBSIZE"); err != nil || n != "0" {
		t.Fatalf("after Wipe: DBSIZE = %q, %v; want 0", n, err)
	}
}

// A server that cannot start (here: its port is taken by another one) fails at once,
// saying why, rather than at the deadline.
func TestRedisServerStartFailsFast(t *testing.T) {
	bin := redisLookPath(t, "redis-server")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first, err := NewRedisServer(RedisConfig{Bin: bin, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Stop() })
	second, err := NewRedisServer(RedisConfig{Bin: bin, Dir: t.TempDir(), Port: first.cfg.Port})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = second.Start(ctx)
	if err == nil {
		t.Fatal("second server on the same port started")
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("failed after %s, not at once: %v", took, err)
	}
	t.Logf("as expected: %v", err)
}
