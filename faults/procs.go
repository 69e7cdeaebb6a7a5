package faults

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Build compiles cmd/relance and cmd/kfake-broker of the module rooted at root into dir
// and returns their paths.
func Build(ctx context.Context, root, dir string) (relance, broker string, err error) {
	relance, broker = filepath.Join(dir, "relance"), filepath.Join(dir, "kfake-broker")
	for _, b := range []struct{ out, pkg string }{{relance, "./cmd/relance"}, {broker, "./cmd/kfake-broker"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b.out, b.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
		}
	}
	return relance, broker, nil
}

// Proc is a child process. Its owner stops it (Kill, Term) or lets Close do so.
type Proc struct {
	Name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	log  *os.File
}

// start runs bin with args and env added to the environment; its output goes to logPath.
// stdout, when not nil, receives the process's standard output instead.
func start(name, bin string, args, env []string, logPath string, stdout io.Writer) (*Proc, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	if stdout != nil {
		cmd.Stdout = stdout
	}
	// Its own process group: a Ctrl-C on the test reaches the test, which stops its children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, cmd: cmd, done: make(chan struct{}), log: log}
	go func() {
		defer close(p.done)
		_ = cmd.Wait()
		log.Close()
	}()
	return p, nil
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL (kill -9) and waits until the process is reaped.
func (p *Proc) Kill() {
	if p.Exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT) // a stopped process dies only once resumed
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Term sends SIGTERM and waits up to timeout for the exit, then kills it. It returns the
// exit error (nil for exit 0), or an error if it had to kill.
func (p *Proc) Term(timeout time.Duration) error {
	if p.Exited() {
		return p.exitErr()
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.exitErr()
	case <-t.C:
		p.Kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM: killed", p.Name, timeout)
	}
}

func (p *Proc) exitErr() error {
	if st := p.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("%s: %s", p.Name, st)
	}
	return nil
}

// Pause stops the process (SIGSTOP): its sockets stay open but nothing answers.
func (p *Proc) Pause() error { return p.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused process (SIGCONT).
func (p *Proc) Resume() error { return p.cmd.Process.Signal(syscall.SIGCONT) }

// StablePort returns a port on 127.0.0.1 for a server that stops and starts again on it
// (a broker, a Redis). It is below the kernel's ephemeral range, and so is port+10000 (a
// cluster node's bus port): while the server is down, no outgoing connection can take it
// as its source port, and no FreePort can return it. Ports are handed out in turn from a
// random start, so the scenarios running side by side in this process never share one.
func StablePort() (int, error) {
	for range stablePorts.span {
		port := stablePorts.low + int(stablePorts.next.Add(1)%uint64(stablePorts.span))
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // in use by something else on the machine
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port in %d..%d", stablePorts.low, stablePorts.low+stablePorts.span-1)
}

// stablePorts is the range StablePort hands out: 10000 up to 20000, whose bus ports
// (20000 up to 30000) are apart from it and below the ephemeral range
// (net.ipv4.ip_local_port_range, which starts at 32768 by default).
var stablePorts = newPortRange()

type portRange struct {
	low, span int
	next      atomic.Uint64
}

func newPortRange() *portRange {
	ephemeral := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				ephemeral = n
			}
		}
	}
	r := &portRange{low: 10000, span: max(min(10000, ephemeral-20000), 1000)}
	r.next.Store(rand.Uint64())
	return r
}

// FreePort returns a port on 127.0.0.1 nothing listens on right now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Broker is a cmd/kfake-broker process with its data on disk, so that it can be stopped
// and started again on the same port without losing topics, records or offsets.
type Broker struct {
	bin, dir   string
	port       int
	topics     []string
	partitions int
	proc       *Proc
}

// NewBroker describes a broker on port (0: a free one) keeping its data in dir; Start
// starts it.
func NewBroker(bin, dir string, port, partitions int, topics []string) (*Broker, error) {
	if port == 0 {
		var err error
		if port, err = StablePort(); err != nil {
			return nil, err
		}
	}
	return &Broker{bin: bin, dir: dir, port: port, topics: topics, partitions: partitions}, nil
}

// Addr is the broker's address, known before it starts.
func (b *Broker) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// Proc is the running process, nil when stopped.
func (b *Broker) Proc() *Proc { return b.proc }

// Start starts the broker and waits until it prints its address.
func (b *Broker) Start(ctx context.Context) error {
	pr, pw := io.Pipe()
	args := []string{
		"-port", strconv.Itoa(b.port), "-partitions", strconv.Itoa(b.partitions),
		"-topics", strings.Join(b.topics, ","), "-data-dir", filepath.Join(b.dir, "data"),
	}
	p, err := start("kfake-broker", b.bin, args, nil, filepath.Join(b.dir, "broker.log"), pw)
	if err != nil {
		return err
	}
	lines := make(chan string, 1) // the one line the broker prints
	go func() {
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr) // drain until the process exits
	}()
	go func() {
		<-p.done
		pw.Close()
	}()
	select {
	case line := <-lines:
		if line != "listening "+b.Addr() {
			p.Kill()
			return fmt.Errorf("kfake-broker printed %q, want listening on %s (see %s)", line, b.Addr(), filepath.Join(b.dir, "broker.log"))
		}
	case <-ctx.Done():
		p.Kill()
		return fmt.Errorf("kfake-broker did not start: %w", ctx.Err())
	}
	b.proc = p
	return nil
}

// Stop stops the broker with SIGTERM (it flushes its data).
func (b *Broker) Stop() error {
	if b.proc == nil {
		return nil
	}
	err := b.proc.Term(30 * time.Second)
	b.proc = nil
	return err
}

// Redis is a redis-server process on a fixed port, restartable with or without its data.
type Redis struct {
	bin, dir string
	port     int
	// AOF enables the append-only file with appendfsync everysec.
	AOF bool
	// Cluster enables cluster mode (the cluster is created by CreateCluster).
	Cluster bool
	proc    *Proc
}

// NewRedis describes a redis-server on a free port with its files in dir.
func NewRedis(bin, dir string, aof, cluster bool) (*Redis, error) {
	for range 100 {
		port, err := StablePort()
		if err != nil {
			return nil, err
		}
		if cluster { // the cluster bus listens on port+10000
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
			if err != nil {
				continue
			}
			l.Close()
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return &Redis{bin: bin, dir: dir, port: port, AOF: aof, Cluster: cluster}, nil
	}
	return nil, errors.New("no free port for redis-server")
}

// Addr is the server's address.
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// Start starts the server and waits until it answers PING.
func (r *Redis) Start(ctx context.Context) error {
	args := []string{"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir, "--save", ""}
	if r.AOF {
		args = append(args, "--appendonly", "yes", "--appendfsync", "everysec")
	} else {
		args = append(args, "--appendonly", "no")
	}
	if r.Cluster {
		args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	}
	p, err := start("redis-server", r.bin, args, nil, filepath.Join(r.dir, "redis.log"), nil)
	if err != nil {
		return err
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1})
	defer c.Close()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			r.proc = p
			return nil
		}
		// A server loading its AOF answers LOADING: wait for it too.
		select {
		case <-p.done:
			return fmt.Errorf("redis-server on %s exited at start (see %s)", r.Addr(), filepath.Join(r.dir, "redis.log"))
		case <-ctx.Done():
			p.Kill()
			return fmt.Errorf("redis-server on %s not ready: %w (last: %v)", r.Addr(), ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Stop stops the server with SIGTERM; with the AOF on, it is flushed first.
func (r *Redis) Stop() error {
	if r.proc == nil {
		return nil
	}
	err := r.proc.Term(30 * time.Second)
	r.proc = nil
	return err
}

// Kill stops the server with SIGKILL: the AOF keeps what it had synced (everysec).
func (r *Redis) Kill() {
	if r.proc != nil {
		r.proc.Kill()
		r.proc = nil
	}
}

// Wipe deletes the server's files; the next Start is empty. Stop it first.
func (r *Redis) Wipe() error {
	for _, pattern := range []string{"appendonly*", "appendonlydir", "dump.rdb"} {
		matches, _ := filepath.Glob(filepath.Join(r.dir, pattern))
		for _, m := range matches {
			if err := os.RemoveAll(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateCluster joins the servers (started with Cluster) into one cluster of masters and
// waits until every node reports cluster_state:ok.
func CreateCluster(ctx context.Context, cli string, nodes []*Redis) error {
	args := []string{"--cluster", "create"}
	for _, n := range nodes {
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for _, n := range nodes {
		c := redis.NewClient(&redis.Options{Addr: n.Addr()})
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			select {
			case <-ctx.Done():
				c.Close()
				return fmt.Errorf("cluster node %s not ok: %w (last: %v)", n.Addr(), ctx.Err(), err)
			case <-tick.C:
			}
		}
		c.Close()
	}
	return nil
}

// Relance starts and restarts relance processes of one configuration.
type Relance struct {
	bin, dir string
	env      []string
	mu       sync.Mutex
	n        int // processes started
}

// NewRelance describes relance processes reading brokers and redisAddrs in group, logging
// in dir. Extra environment entries (KEY=value) may follow.
func NewRelance(bin, dir string, brokers, redisAddrs []string, group string, extra ...string) *Relance {
	env := []string{
		"RELANCE_KAFKA_BROKERS=" + strings.Join(brokers, ","),
		"RELANCE_REDIS_ADDR=" + strings.Join(redisAddrs, ","),
		"RELANCE_GROUP_ID=" + group,
		"RELANCE_HTTP_ADDR=127.0.0.1:0",
		"RELANCE_LOG_LEVEL=info",
	}
	return &Relance{bin: bin, dir: dir, env: append(env, extra...)}
}

// Start starts one more relance process.
func (r *Relance) Start() (*Proc, error) {
	r.mu.Lock()
	r.n++
	n := r.n
	r.mu.Unlock()
	return start(fmt.Sprintf("relance#%d", n), r.bin, nil, r.env, filepath.Join(r.dir, fmt.Sprintf("relance-%03d.log", n)), nil)
}

// Started is the number of processes started so far.
func (r *Relance) Started() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
