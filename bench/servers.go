package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kfake"
)

const (
	serverStartTimeout = 15 * time.Second
	serverStopTimeout  = 10 * time.Second
)

// Server is a server process (or an in-process broker) started for a run.
type Server struct {
	// Addr is its 127.0.0.1:port.
	Addr string
	// Pid is the server's process id, 0 for an in-process broker.
	Pid   int
	cmd   *exec.Cmd
	done  chan struct{}
	close func()
}

// Close stops the server: SIGTERM, then SIGKILL after a grace period.
func (s *Server) Close() error {
	if s.close != nil {
		s.close()
		return nil
	}
	select {
	case <-s.done:
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(serverStopTimeout):
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return fmt.Errorf("%s killed after %s without exiting on SIGTERM", s.cmd.Path, serverStopTimeout)
}

// CPUSeconds is the user and system CPU time the server process has used so far, read
// from /proc; 0 for an in-process broker or when /proc is not readable.
func (s *Server) CPUSeconds() float64 {
	if s.Pid == 0 {
		return 0
	}
	return procCPUSeconds(s.Pid)
}

func start(bin string, args ...string) (*Server, *bufio.Scanner, error) {
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	s := &Server{Pid: cmd.Process.Pid, cmd: cmd, done: make(chan struct{})}
	sc := bufio.NewScanner(out)
	return s, sc, nil
}

// StartRedis starts redis-server (found on PATH) on a free 127.0.0.1 port, without
// persistence, and waits until it answers.
func StartRedis(ctx context.Context) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server: %w (apt-get install redis-server)", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "relance-bench-redis")
	if err != nil {
		return nil, err
	}
	s, sc, err := start(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", dir)
	if err != nil {
		return nil, err
	}
	go func() {
		for sc.Scan() { // drain its log
		}
		_ = s.cmd.Wait()
		_ = os.RemoveAll(dir)
		close(s.done)
	}()
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	deadline := time.Now().Add(serverStartTimeout)
	for {
		err := rdb.Ping(ctx).Err()
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = s.Close()
			return nil, fmt.Errorf("redis-server on %s: %w", s.Addr, err)
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("redis-server on %s exited: %v", s.Addr, s.cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// StartBroker starts a Kafka-protocol broker on 127.0.0.1 with topics created with the
// given partitions: the kfake-broker binary bin as a process of its own (so the broker's
// CPU and memory are not counted as relance's), or kfake in this process when bin is empty.
func StartBroker(ctx context.Context, bin string, partitions int, topicNames ...string) (*Server, error) {
	if bin == "" {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(partitions), topicNames...),
			kfake.DefaultNumPartitions(partitions), kfake.AllowAutoTopicCreation())
		if err != nil {
			return nil, fmt.Errorf("kfake: %w", err)
		}
		return &Server{Addr: c.ListenAddrs()[0], close: c.Close}, nil
	}
	s, sc, err := start(bin, "-port", "0", "-partitions", strconv.Itoa(partitions),
		"-topics", strings.Join(topicNames, ","))
	if err != nil {
		return nil, err
	}
	addr := make(chan string, 1) // the one "listening" line
	go func() {
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				select {
				case addr <- a:
				default:
				}
			}
		}
		_ = s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.Addr = <-addr:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("%s exited: %v", bin, s.cmd.ProcessState)
	case <-time.After(serverStartTimeout):
	case <-ctx.Done():
	}
	_ = s.Close()
	return nil, fmt.Errorf("%s: no address after %s", bin, serverStartTimeout)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// procCPUSeconds reads utime+stime of pid from /proc/pid/stat.
func procCPUSeconds(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}
