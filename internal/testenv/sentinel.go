package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sentinel timings: short, so that a failover takes a few seconds rather than minutes.
const (
	sentinelDownAfter       = time.Second
	sentinelFailoverTimeout = 5 * time.Second
)

// SentinelConfig describes a Redis Sentinel process (redis-server --sentinel) watching one
// master, with a quorum of 1: it alone decides a failover.
type SentinelConfig struct {
	// Bin is the redis-server binary; empty: the one on PATH.
	Bin string
	// Dir holds the Sentinel's config file (sentinel.conf, which Sentinel rewrites as it
	// learns replicas and failovers) and its log (sentinel.log). Required.
	Dir string
	// Port is the port on 127.0.0.1; 0: a free one.
	Port int
	// MasterName is the name clients ask the Sentinel for. Required.
	MasterName string
	// Master is the "host:port" of the master to watch, at the first start. Required.
	Master string
	// Replicas is how many replicas Start waits for the Sentinel to know of.
	Replicas int
	// User and Password are the Sentinel's own credentials. With Password set every client
	// must AUTH: as User, an ACL user allowed every command (the default user is then off),
	// or, without User, as the default user (requirepass).
	User, Password string
}

// Sentinel is a Redis Sentinel process on 127.0.0.1. It marks the master down after 1 s
// without an answer and then promotes a replica; failover-timeout is 5 s. It is not safe
// for concurrent use.
type Sentinel struct {
	cfg  SentinelConfig
	proc *Process // nil while stopped
}

// NewSentinel describes a Sentinel; Start starts it.
func NewSentinel(cfg SentinelConfig) (*Sentinel, error) {
	if cfg.Dir == "" || cfg.MasterName == "" || cfg.Master == "" {
		return nil, errors.New("redis sentinel: Dir, MasterName and Master are required")
	}
	if cfg.Bin == "" {
		bin, err := exec.LookPath("redis-server")
		if err != nil {
			return nil, fmt.Errorf("%w (apt-get install redis-server)", err)
		}
		cfg.Bin = bin
	}
	if cfg.Port == 0 {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		cfg.Port = port
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	return &Sentinel{cfg: cfg}, nil
}

// Addr is the Sentinel's "127.0.0.1:port".
func (s *Sentinel) Addr() string { return addr(s.cfg.Port) }

// MasterName is the name of the master it watches.
func (s *Sentinel) MasterName() string { return s.cfg.MasterName }

func (s *Sentinel) confPath() string { return filepath.Join(s.cfg.Dir, "sentinel.conf") }
func (s *Sentinel) logPath() string  { return filepath.Join(s.cfg.Dir, "sentinel.log") }

// Start starts the Sentinel and waits until it reports its master up with cfg.Replicas
// replicas. The config file is written at the first start only: a restarted Sentinel
// keeps what it learned (the current master, a failover's epoch).
func (s *Sentinel) Start(ctx context.Context) error {
	if _, err := os.Stat(s.confPath()); errors.Is(err, os.ErrNotExist) {
		host, port, err := net.SplitHostPort(s.cfg.Master)
		if err != nil {
			return fmt.Errorf("redis sentinel Master: %w", err)
		}
		name := s.cfg.MasterName
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
			"sentinel monitor %s %s %s 1\n"+
			"sentinel down-after-milliseconds %s %d\n"+
			"sentinel failover-timeout %s %d\n"+
			"sentinel parallel-syncs %s 1\n",
			s.cfg.Port, s.cfg.Dir, name, host, port,
			name, sentinelDownAfter.Milliseconds(), name, sentinelFailoverTimeout.Milliseconds(), name)
		conf += s.authConf()
		if err := os.WriteFile(s.confPath(), []byte(conf), 0o644); err != nil {
			return err
		}
	}
	log, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.cfg.Bin, s.confPath(), "--sentinel")
	cmd.Stdout, cmd.Stderr = log, log
	p, err := StartProcess("redis sentinel on "+s.Addr(), cmd)
	log.Close() // the process has its own copy
	if err != nil {
		return err
	}
	if err := s.waitReady(ctx, p); err != nil {
		p.Kill()
		return fmt.Errorf("redis sentinel on %s: %w; the end of %s:\n%s", s.Addr(), err, s.logPath(), logTail(s.logPath()))
	}
	s.proc = p
	return nil
}

// authConf is the config lines of the Sentinel's own credentials.
func (s *Sentinel) authConf() string {
	switch {
	case s.cfg.Password == "":
		return ""
	case s.cfg.User == "":
		return fmt.Sprintf("requirepass %s\n", s.cfg.Password)
	default:
		return fmt.Sprintf("user default off\nuser %s on >%s ~* &* +@all\n", s.cfg.User, s.cfg.Password)
	}
}

// client is how testenv's checks talk to the Sentinel: with its credentials.
func (s *Sentinel) client() redisClient {
	if s.cfg.Password == "" {
		return redisClient{}
	}
	c := redisClient{user: s.cfg.User, password: s.cfg.Password}
	if c.user == "" {
		c.user = "default"
	}
	return c
}

// Command sends one command (words separated by spaces) to the Sentinel, with its
// credentials, and returns the reply as text: a status, an integer or a bulk string.
func (s *Sentinel) Command(command string) (string, error) {
	return s.client().command(s.Addr(), command)
}

func (s *Sentinel) waitReady(ctx context.Context, p *Process) error {
	self := "process_id:" + strconv.Itoa(p.Pid()) + "\r\n"
	want := fmt.Sprintf("name=%s,status=ok,", s.cfg.MasterName)
	replicas := fmt.Sprintf(",slaves=%d,", s.cfg.Replicas)
	tick := time.NewTicker(redisPollInterval)
	defer tick.Stop()
	for {
		info, err := s.Command("INFO")
		switch {
		case err != nil:
		case !strings.Contains(info, self):
			err = errors.New("another server answers on this port")
		case !strings.Contains(info, want) || !strings.Contains(info, replicas):
			err = fmt.Errorf("master not seen up with %d replicas yet: %s", s.cfg.Replicas, sentinelLine(info, s.cfg.MasterName))
		default:
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited at start: %v", p.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// sentinelLine is the "masterN:name=…" line of INFO about master name.
func sentinelLine(info, name string) string {
	for line := range strings.SplitSeq(info, "\r\n") {
		if _, rest, ok := strings.Cut(line, ":name="+name+","); ok && strings.HasPrefix(line, "master") {
			return "name=" + name + "," + rest
		}
	}
	return ""
}

// Master is the address the Sentinel gives for its master now.
func (s *Sentinel) Master() (string, error) {
	info, err := s.Command("INFO sentinel")
	if err != nil {
		return "", err
	}
	line := sentinelLine(info, s.cfg.MasterName)
	for field := range strings.SplitSeq(line, ",") {
		if a, ok := strings.CutPrefix(field, "address="); ok {
			return a, nil
		}
	}
	return "", fmt.Errorf("sentinel on %s does not know master %s: %q", s.Addr(), s.cfg.MasterName, line)
}

// WaitFailover waits until the Sentinel gives another master than old and that master
// answers as one (role:master), and returns its address.
func (s *Sentinel) WaitFailover(ctx context.Context, old string) (string, error) {
	tick := time.NewTicker(redisPollInterval)
	defer tick.Stop()
	for {
		master, err := s.Master()
		if err == nil && master == old {
			err = errors.New("still the old master")
		}
		if err == nil {
			var info string
			if info, err = redisCommand(master, "INFO replication"); err == nil && !strings.Contains(info, "role:master\r\n") {
				err = fmt.Errorf("%s not promoted yet", master)
			}
		}
		if err == nil {
			return master, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no failover from %s: %w (last: %v)", old, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Stop stops the Sentinel with SIGTERM and waits for its exit.
func (s *Sentinel) Stop() error {
	if s.proc == nil {
		return nil
	}
	err := s.proc.Term(stopTimeout)
	s.proc = nil
	return err
}

// RedisFailover is a master, its replica and a Sentinel watching them: real processes.
type RedisFailover struct {
	Master, Replica *RedisServer
	Sentinel        *Sentinel
}

// StartRedisSentinel starts a master, a replica in sync with it and a Sentinel that knows
// both, without persistence, and stops them when the test ends (the Sentinel first). It
// skips or fails like [StartRedis] without redis-server.
func StartRedisSentinel(t testing.TB, masterName string) RedisFailover {
	t.Helper()
	return StartRedisSentinelWith(t, SentinelConfig{MasterName: masterName})
}

// StartRedisSentinelWith is [StartRedisSentinel] with the Sentinel of cfg (its
// credentials, say). It fills in Master and Replicas; an empty Bin is the one on PATH, an
// empty Dir a temporary one.
func StartRedisSentinelWith(t testing.TB, cfg SentinelConfig) RedisFailover {
	t.Helper()
	if cfg.Bin == "" {
		cfg.Bin = redisLookPath(t, "redis-server")
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	var f RedisFailover
	f.Master = StartRedisWith(t, RedisConfig{Bin: cfg.Bin})
	f.Replica = StartRedisWith(t, RedisConfig{Bin: cfg.Bin, ReplicaOf: f.Master.Addr()})
	cfg.Master, cfg.Replicas = f.Master.Addr(), 1
	var err error
	f.Sentinel, err = NewSentinel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisClusterTimeout)
	defer cancel()
	if err := f.Sentinel.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Sentinel.Stop(); err != nil {
			t.Errorf("stop redis sentinel on %s: %v", f.Sentinel.Addr(), err)
		}
	})
	return f
}
