package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	redisStartTimeout   = 10 * time.Second
	redisClusterTimeout = 60 * time.Second
	redisPollInterval   = 10 * time.Millisecond
	redisStartAttempts  = 5
	// redisBusOffset is how far above its port a cluster node listens for the cluster bus.
	redisBusOffset = 10000
)

// StartRedis starts a redis-server without persistence on a free 127.0.0.1 port, waits
// until it answers, stops it when the test ends, and returns its "127.0.0.1:port".
//
// Without redis-server on PATH the test is skipped, unless CI is set: CI never skips.
func StartRedis(t testing.TB) string {
	t.Helper()
	return startRedis(t, redisLookPath(t, "redis-server"), false).Addr()
}

// StartRedisCluster starts a Redis Cluster of three masters without replicas, waits until
// every node reports cluster_state:ok, stops it when the test ends, and returns the
// masters' addresses. It skips or fails like [StartRedis] without redis-server or redis-cli.
func StartRedisCluster(t testing.TB) []string {
	t.Helper()
	bin := redisLookPath(t, "redis-server")
	redisLookPath(t, "redis-cli")
	nodes := make([]*RedisServer, 3)
	addrs := make([]string, len(nodes))
	for i := range nodes {
		nodes[i] = startRedis(t, bin, true)
		addrs[i] = nodes[i].Addr()
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisClusterTimeout)
	defer cancel()
	if err := CreateRedisCluster(ctx, nodes); err != nil {
		t.Fatal(err)
	}
	return addrs
}

func redisLookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " not found on PATH: install it (apt-get install redis-server) to run the store tests"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startRedis starts bin on a free port, trying another one when another process takes the
// port between the pick and the bind, and stops it in t.Cleanup.
func startRedis(t testing.TB, bin string, cluster bool) *RedisServer {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, err := NewRedisServer(RedisConfig{Bin: bin, Dir: t.TempDir(), Cluster: cluster})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), redisStartTimeout)
		err = s.Start(ctx)
		cancel()
		if err == nil {
			t.Cleanup(func() {
				if err := s.Stop(); err != nil {
					t.Errorf("stop redis-server on %s: %v", s.Addr(), err)
				}
			})
			return s
		}
		if attempt == redisStartAttempts {
			t.Fatal(err)
		}
		t.Logf("%v\ntrying another port", err)
	}
}

// RedisConfig describes a redis-server process.
type RedisConfig struct {
	// Bin is the redis-server binary; empty: the one on PATH.
	Bin string
	// Dir holds the server's files: its log (redis.log), its append-only file, a cluster
	// node's nodes.conf. It is created if missing. Required.
	Dir string
	// Port is the port on 127.0.0.1; 0: a free one (and, with Cluster, port+10000 for the
	// cluster bus free too).
	Port int
	// AOF turns the append-only file on, with appendfsync everysec. Without it the server
	// persists nothing: it starts again empty.
	AOF bool
	// Cluster turns cluster mode on; CreateRedisCluster joins the nodes.
	Cluster bool
}

// RedisServer is a redis-server process on 127.0.0.1, which can be stopped or killed and
// started again on the same port with the same files. It is not safe for concurrent use.
type RedisServer struct {
	cfg  RedisConfig
	proc *Process // nil while stopped
}

// NewRedisServer describes a server; Start starts it.
func NewRedisServer(cfg RedisConfig) (*RedisServer, error) {
	if cfg.Dir == "" {
		return nil, errors.New("redis-server: no Dir")
	}
	if cfg.Bin == "" {
		bin, err := exec.LookPath("redis-server")
		if err != nil {
			return nil, fmt.Errorf("%w (apt-get install redis-server)", err)
		}
		cfg.Bin = bin
	}
	if cfg.Port == 0 {
		port, err := redisFreePort(cfg.Cluster)
		if err != nil {
			return nil, err
		}
		cfg.Port = port
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	return &RedisServer{cfg: cfg}, nil
}

// redisFreePort returns a free port; for a cluster node, one whose bus port is free too.
func redisFreePort(cluster bool) (int, error) {
	for range 100 {
		port, err := FreePort()
		if err != nil || !cluster {
			return port, err
		}
		if port+redisBusOffset <= 65535 && PortFree(port+redisBusOffset) {
			return port, nil
		}
	}
	return 0, errors.New("no free port pair for a Redis Cluster node")
}

// Addr is the server's "127.0.0.1:port", known before it starts.
func (r *RedisServer) Addr() string { return addr(r.cfg.Port) }

func (r *RedisServer) logPath() string { return filepath.Join(r.cfg.Dir, "redis.log") }

// Start starts the server and waits until it answers PING (a server loading its AOF
// answers LOADING: that is waited for too) and is this process, not another server that
// took the port first. It fails as soon as the process exits, and kills it if ctx ends
// first; the error quotes the end of the server's log.
func (r *RedisServer) Start(ctx context.Context) error {
	args := []string{"--port", strconv.Itoa(r.cfg.Port), "--bind", "127.0.0.1", "--dir", r.cfg.Dir, "--save", ""}
	if r.cfg.AOF {
		args = append(args, "--appendonly", "yes", "--appendfsync", "everysec")
	} else {
		args = append(args, "--appendonly", "no")
	}
	if r.cfg.Cluster {
		args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	}
	log, err := os.OpenFile(r.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(r.cfg.Bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	p, err := StartProcess("redis-server on "+r.Addr(), cmd)
	log.Close() // the process has its own copy
	if err != nil {
		return err
	}
	if err := r.waitReady(ctx, p); err != nil {
		p.Kill()
		return fmt.Errorf("redis-server on %s: %w; the end of %s:\n%s", r.Addr(), err, r.logPath(), logTail(r.logPath()))
	}
	r.proc = p
	return nil
}

func (r *RedisServer) waitReady(ctx context.Context, p *Process) error {
	self := "process_id:" + strconv.Itoa(p.Pid()) + "\r\n"
	tick := time.NewTicker(redisPollInterval)
	defer tick.Stop()
	for {
		_, err := redisCommand(r.Addr(), "PING")
		if err == nil {
			var info string
			if info, err = redisCommand(r.Addr(), "INFO server"); err == nil && !strings.Contains(info, self) {
				err = errors.New("another server answers on this port")
			}
		}
		if err == nil {
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

// Stop stops the server with SIGTERM, which flushes the AOF, and waits for its exit.
func (r *RedisServer) Stop() error {
	if r.proc == nil {
		return nil
	}
	err := r.proc.Term(stopTimeout)
	r.proc = nil
	return err
}

// Kill stops the server with SIGKILL: the AOF keeps what the server had written to it.
func (r *RedisServer) Kill() {
	if r.proc != nil {
		r.proc.Kill()
		r.proc = nil
	}
}

// Wipe deletes the server's data files, so that the next Start is empty. Stop it first.
func (r *RedisServer) Wipe() error {
	for _, pattern := range []string{"appendonly*", "appendonlydir", "dump.rdb"} {
		matches, _ := filepath.Glob(filepath.Join(r.cfg.Dir, pattern))
		for _, m := range matches {
			if err := os.RemoveAll(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateRedisCluster joins nodes, started with Cluster, into one cluster of masters
// without replicas (redis-cli --cluster create, redis-cli found on PATH), and waits until
// every node reports cluster_state:ok.
func CreateRedisCluster(ctx context.Context, nodes []*RedisServer) error {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return fmt.Errorf("%w (apt-get install redis-server)", err)
	}
	args := []string{"--cluster", "create"}
	for _, n := range nodes {
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	tick := time.NewTicker(redisPollInterval)
	defer tick.Stop()
	for _, n := range nodes {
		for {
			info, err := redisCommand(n.Addr(), "CLUSTER INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("redis cluster node %s not ok: %w (last: %v)\n%s", n.Addr(), ctx.Err(), err, info)
			case <-tick.C:
			}
		}
	}
	return nil
}

// logTail returns the last lines of the file at path, for error messages.
func logTail(path string) string {
	const lines = 20
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	l := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(l[max(0, len(l)-lines):], "\n")
}

// redisCommand sends one inline command and returns the reply as text: a status, an
// integer, or a bulk string. It speaks just enough RESP for readiness checks.
func redisCommand(addr, command string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(conn, command+"\r\n"); err != nil {
		return "", err
	}
	rd := bufio.NewReader(conn)
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("bad bulk reply %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}
