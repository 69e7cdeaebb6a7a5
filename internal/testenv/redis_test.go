package testenv

import (
	"context"
	"strings"
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

// A TLS-only server with an ACL user: a plaintext client gets nothing, the default user is
// off, and testenv's own checks (TLS with a client certificate, AUTH) get through.
func TestRedisServerTLSAndACL(t *testing.T) {
	ca, err := NewCA(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("redis", "redis.test")
	if err != nil {
		t.Fatal(err)
	}
	s := StartRedisWith(t, RedisConfig{TLS: &RedisTLS{Cert: cert, CAFile: ca.CAFile, AuthClients: true}, User: "relance", Password: "s3cret"})
	if got, err := s.Command("SET k v"); err != nil || got != "OK" {
		t.Fatalf("SET over TLS as relance: %q, %v", got, err)
	}
	if _, err := redisCommand(s.Addr(), "PING"); err == nil {
		t.Error("a plaintext PING was answered")
	}
	tlsOnly := s.client()
	tlsOnly.user = ""
	if _, err := tlsOnly.command(s.Addr(), "GET k"); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
		t.Errorf("GET as the default user: %v, want NOAUTH", err)
	}
}

// A Sentinel promotes the replica within seconds of the master's kill -9.
func TestRedisSentinelFailsOver(t *testing.T) {
	f := StartRedisSentinel(t, "m")
	if got, err := f.Sentinel.Master(); err != nil || got != f.Master.Addr() {
		t.Fatalf("sentinel's master = %q, %v; want %s", got, err, f.Master.Addr())
	}
	if _, err := f.Master.Command("SET k v"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Master.Command("WAIT 1 1000"); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	f.Master.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	master, err := f.Sentinel.WaitFailover(ctx, f.Master.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("replica %s promoted %s after the kill", master, time.Since(killed).Round(time.Millisecond))
	if master != f.Replica.Addr() {
		t.Errorf("new master %s, want the replica %s", master, f.Replica.Addr())
	}
	if got, err := f.Replica.Command("GET k"); err != nil || got != "v" {
		t.Errorf("GET k on the promoted replica: %q, %v", got, err)
	}
}
