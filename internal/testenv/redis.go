package testenv

import (
	"bufio"
	"bytes"
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
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	redisStartTimeout   = 10 * time.Second
	redisClusterTimeout = 60 * time.Second
	redisStopTimeout    = 10 * time.Second
	redisPollInterval   = 10 * time.Millisecond
	redisStartAttempts  = 5
)

// StartRedis starts a redis-server without persistence on a free 127.0.0.1 port, waits
// until it answers, stops it when the test ends, and returns its "127.0.0.1:port".
//
// Without redis-server on PATH the test is skipped, unless CI is set: CI never skips.
func StartRedis(t testing.TB) string {
	t.Helper()
	bin := redisLookPath(t, "redis-server")
	return startRedisServer(t, bin, t.TempDir(), false)
}

// StartRedisCluster starts a Redis Cluster of three masters without replicas, waits until
// every node reports cluster_state:ok, stops it when the test ends, and returns the
// masters' addresses. It skips or fails like [StartRedis] without redis-server or redis-cli.
func StartRedisCluster(t testing.TB) []string {
	t.Helper()
	server := redisLookPath(t, "redis-server")
	cli := redisLookPath(t, "redis-cli")
	dir := t.TempDir()
	addrs := make([]string, 3)
	for i := range addrs {
		addrs[i] = startRedisServer(t, server, dir, true)
	}

	ctx, cancel := context.WithTimeout(context.Background(), redisClusterTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}

	deadline := time.Now().Add(redisClusterTimeout)
	for _, addr := range addrs {
		for {
			info, err := redisCommand(addr, "CLUSTER INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("redis cluster node %s not ready after %s: %v\n%s", addr, redisClusterTimeout, err, info)
			}
			time.Sleep(redisPollInterval)
		}
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

// startRedisServer starts bin on a free port, retrying when another process takes the port
// between the pick and the bind, and registers its shutdown with t.Cleanup.
func startRedisServer(t testing.TB, bin, dir string, cluster bool) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := redisFreePort(t, cluster)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		args := []string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir,
		}
		if cluster {
			args = append(args, "--cluster-enabled", "yes",
				"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"))
		}
		p, err := startRedisProcess(bin, args)
		if err != nil {
			t.Fatalf("start %s: %v", bin, err)
		}
		err = p.waitReady(addr, redisStartTimeout)
		if err == nil {
			t.Cleanup(func() {
				if err := p.stop(); err != nil {
					t.Errorf("stop redis-server on %s: %v", addr, err)
				}
			})
			return addr
		}
		_ = p.stop()
		if attempt == redisStartAttempts {
			t.Fatalf("redis-server on %s: %v\n%s", addr, err, p.out.String())
		}
		t.Logf("redis-server on %s did not start (%v), trying another port", addr, err)
	}
}

// redisFreePort returns a port nothing listens on. For a cluster node the cluster bus
// port (port+10000) must be free too.
func redisFreePort(t testing.TB, cluster bool) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("pick a free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !cluster {
			_ = l.Close()
			return port
		}
		if port+10000 > 65535 {
			_ = l.Close()
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		_ = l.Close()
		if err != nil {
			continue
		}
		_ = bus.Close()
		return port
	}
	t.Fatal("no free port pair for a Redis Cluster node")
	return 0
}

type redisProcess struct {
	cmd  *exec.Cmd
	out  *redisOutput
	done chan struct{} // closed when the process has exited
}

func startRedisProcess(bin string, args []string) (*redisProcess, error) {
	p := &redisProcess{
		cmd:  exec.Command(bin, args...),
		out:  &redisOutput{},
		done: make(chan struct{}),
	}
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(p.done)
		_ = p.cmd.Wait()
	}()
	return p, nil
}

// waitReady polls until the server on addr answers and is this process (not another
// server that got the port first), or the process exits, or timeout passes.
func (p *redisProcess) waitReady(addr string, timeout time.Duration) error {
	want := "process_id:" + strconv.Itoa(p.cmd.Process.Pid) + "\r\n"
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(redisPollInterval)
	defer tick.Stop()
	var err error
	for {
		var info string
		info, err = redisCommand(addr, "INFO server")
		if err == nil && strings.Contains(info, want) {
			return nil
		}
		if err == nil {
			err = errors.New("another server answers on this port")
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited: %v", p.cmd.ProcessState)
		case <-deadline.C:
			return fmt.Errorf("not ready after %s: %w", timeout, err)
		case <-tick.C:
		}
	}
}

func (p *redisProcess) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(redisStopTimeout):
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return fmt.Errorf("killed after %s without exiting on SIGTERM", redisStopTimeout)
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

// redisOutput collects a server's output for failure messages; exec writes to it from its
// own goroutine.
type redisOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *redisOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *redisOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
