package testenv

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
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

// StartRedisWith starts a redis-server of cfg (TLS, an ACL user, a replica) and stops it
// when the test ends. An empty Bin is the one on PATH (skipping or failing like
// [StartRedis] without it), an empty Dir a temporary one, a zero Port a free one, tried
// again elsewhere if another process takes it first.
func StartRedisWith(t testing.TB, cfg RedisConfig) *RedisServer {
	t.Helper()
	if cfg.Bin == "" {
		cfg.Bin = redisLookPath(t, "redis-server")
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	fixedPort := cfg.Port != 0
	for attempt := 1; ; attempt++ {
		s, err := NewRedisServer(cfg)
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
		if attempt == redisStartAttempts || fixedPort {
			t.Fatal(err)
		}
		t.Logf("%v\ntrying another port", err)
	}
}

// startRedis starts bin on a free port and stops it in t.Cleanup.
func startRedis(t testing.TB, bin string, cluster bool) *RedisServer {
	t.Helper()
	return StartRedisWith(t, RedisConfig{Bin: bin, Dir: t.TempDir(), Cluster: cluster})
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
	// TLS, if set, makes Port a TLS-only listener (no plaintext port).
	TLS *RedisTLS
	// User and Password, if User is set, create an ACL user allowed every command and key,
	// and turn the default user off: every client must AUTH as User.
	User, Password string
	// ReplicaOf is the "host:port" of a master this server replicates, with the same TLS
	// and credentials as its own. Start then also waits until the replica is in sync.
	ReplicaOf string
}

// RedisTLS is the TLS of a redis-server.
type RedisTLS struct {
	// Cert is the server's certificate (from [CA.Issue]). It is also the client certificate
	// of a replica and of testenv's own checks: Issue makes certificates for both uses.
	Cert Pair
	// CAFile is the authority that client certificates must chain to (and that a replica
	// verifies its master with).
	CAFile string
	// AuthClients requires a client certificate (tls-auth-clients yes); without it none is
	// asked for.
	AuthClients bool
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
	args := []string{"--bind", "127.0.0.1", "--dir", r.cfg.Dir, "--save", ""}
	args = append(args, r.securityArgs()...)
	if r.cfg.ReplicaOf != "" {
		host, port, err := net.SplitHostPort(r.cfg.ReplicaOf)
		if err != nil {
			return fmt.Errorf("redis-server ReplicaOf: %w", err)
		}
		args = append(args, "--replicaof", host, port)
	}
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

// securityArgs are the flags of the listener, TLS and ACL settings.
func (r *RedisServer) securityArgs() []string {
	port := strconv.Itoa(r.cfg.Port)
	var args []string
	if t := r.cfg.TLS; t != nil {
		authClients := "no"
		if t.AuthClients {
			authClients = "yes"
		}
		args = append(args, "--port", "0", "--tls-port", port,
			"--tls-cert-file", t.Cert.CertFile, "--tls-key-file", t.Cert.KeyFile,
			"--tls-ca-cert-file", t.CAFile, "--tls-auth-clients", authClients)
		if r.cfg.ReplicaOf != "" {
			args = append(args, "--tls-replication", "yes")
		}
	} else {
		args = append(args, "--port", port)
	}
	if r.cfg.User != "" {
		// Each word an argument: redis-server joins them into one config line.
		args = append(args, "--user", "default", "off",
			"--user", r.cfg.User, "on", ">"+r.cfg.Password, "~*", "&*", "+@all")
		if r.cfg.ReplicaOf != "" {
			args = append(args, "--masteruser", r.cfg.User, "--masterauth", r.cfg.Password)
		}
	}
	return args
}

// client is how testenv's checks talk to the server: over its TLS, as its user.
func (r *RedisServer) client() redisClient {
	c := redisClient{user: r.cfg.User, password: r.cfg.Password}
	if t := r.cfg.TLS; t != nil {
		c.tls = &tls.Config{Certificates: []tls.Certificate{t.Cert.Certificate}, ServerName: "127.0.0.1"}
		if leaf := t.Cert.Certificate.Leaf; leaf != nil && len(leaf.DNSNames) > 0 {
			c.tls.ServerName = leaf.DNSNames[0] // the certificate may not name the address
		}
		if pem, err := os.ReadFile(t.CAFile); err == nil {
			c.tls.RootCAs = x509.NewCertPool()
			c.tls.RootCAs.AppendCertsFromPEM(pem)
		}
	}
	return c
}

// Command sends one command (words separated by spaces) to the server, over its TLS and
// as its user, and returns the reply as text: a status, an integer or a bulk string.
func (r *RedisServer) Command(command string) (string, error) {
	return r.client().command(r.Addr(), command)
}

func (r *RedisServer) waitReady(ctx context.Context, p *Process) error {
	self := "process_id:" + strconv.Itoa(p.Pid()) + "\r\n"
	tick := time.NewTicker(redisPollInterval)
	defer tick.Stop()
	for {
		_, err := r.Command("PING")
		if err == nil {
			var info string
			if info, err = r.Command("INFO server"); err == nil && !strings.Contains(info, self) {
				err = errors.New("another server answers on this port")
			}
		}
		if err == nil && r.cfg.ReplicaOf != "" {
			var info string
			if info, err = r.Command("INFO replication"); err == nil && !strings.Contains(info, "master_link_status:up") {
				err = fmt.Errorf("replica of %s not in sync yet", r.cfg.ReplicaOf)
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

// redisCommand sends one command to a plaintext server without AUTH: see redisClient.
func redisCommand(addr, command string) (string, error) {
	return redisClient{}.command(addr, command)
}

// redisClient speaks just enough RESP for readiness checks, over TLS if tls is set, as
// user if it is set.
type redisClient struct {
	tls            *tls.Config
	user, password string
}

// command sends command (words separated by spaces) and returns the reply as text: a
// status, an integer, or a bulk string.
func (c redisClient) command(addr, command string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	if c.tls != nil {
		conn = tls.Client(conn, c.tls)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return "", err
	}
	rd := bufio.NewReader(conn)
	if c.user != "" {
		if _, err := roundTrip(conn, rd, "AUTH", c.user, c.password); err != nil {
			return "", fmt.Errorf("AUTH %s: %w", c.user, err)
		}
	}
	return roundTrip(conn, rd, strings.Fields(command)...)
}

// roundTrip writes args as a RESP array and reads one reply.
func roundTrip(w io.Writer, rd *bufio.Reader, args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return "", err
	}
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
