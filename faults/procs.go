package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/relance/relance/internal/testenv"
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

// StablePort returns a port on 127.0.0.1 for a server that stops and starts again on it
// (a broker, a Redis). It is below the kernel's ephemeral range, and so is port+10000 (a
// cluster node's bus port, free too): while the server is down, no outgoing connection
// can take it as its source port, and no testenv.FreePort can return it. Ports are handed
// out in turn from a random start, so the scenarios running side by side in this process
// never share one.
func StablePort() (int, error) {
	for range stablePorts.span {
		port := stablePorts.low + int(stablePorts.next.Add(1)%uint64(stablePorts.span))
		if testenv.PortFree(port) && testenv.PortFree(port+10000) { // else in use by something else on the machine
			return port, nil
		}
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

// NewBroker describes a cmd/kfake-broker process (bin) on a stable port, with topics of
// partitions partitions, keeping its data and log in dir so that it can be stopped and
// started again without losing topics, records or offsets.
func NewBroker(bin, dir string, partitions int, topics []string) (*testenv.Broker, error) {
	port, err := StablePort()
	if err != nil {
		return nil, err
	}
	return testenv.NewBroker(testenv.BrokerConfig{Bin: bin, Port: port, Partitions: partitions, Topics: topics, Dir: dir}), nil
}

// NewRedis describes a redis-server (bin) on a stable port with its files in dir, with the
// append-only file (aof) or in cluster mode (cluster; testenv.CreateRedisCluster joins the
// nodes) if asked.
func NewRedis(bin, dir string, aof, cluster bool) (*testenv.RedisServer, error) {
	port, err := StablePort()
	if err != nil {
		return nil, err
	}
	return testenv.NewRedisServer(testenv.RedisConfig{Bin: bin, Dir: dir, Port: port, AOF: aof, Cluster: cluster})
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

// Start starts one more relance process, logging to relance-NNN.log.
func (r *Relance) Start() (*testenv.Process, error) {
	r.mu.Lock()
	r.n++
	n := r.n
	r.mu.Unlock()
	log, err := os.OpenFile(filepath.Join(r.dir, fmt.Sprintf("relance-%03d.log", n)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer log.Close() // once started, the process has its own copy
	cmd := exec.Command(r.bin)
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group: a Ctrl-C on the test reaches the test, which stops its children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return testenv.StartProcess(fmt.Sprintf("relance#%d", n), cmd)
}

// Started is the number of processes started so far.
func (r *Relance) Started() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
