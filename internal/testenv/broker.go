package testenv

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
)

// BrokerConfig describes a Kafka-protocol broker.
type BrokerConfig struct {
	// Bin is a cmd/kfake-broker binary, to run the broker as a process of its own: its CPU
	// and memory are not this process's, and it can be paused or killed. Empty: kfake runs
	// in this process.
	Bin string
	// Port is the port on 127.0.0.1; 0: a free one, chosen at the first Start and kept for
	// the next ones.
	Port int
	// Partitions is the partition count of Topics and of auto-created topics; 0: 3.
	Partitions int
	// Topics are created at start.
	Topics []string
	// Dir, when set, keeps the broker's topics, records and committed offsets on disk
	// (Dir/data), so that a restart picks up where it stopped, and a broker process's log
	// (Dir/broker.log). Empty: everything lives in memory and is lost at Stop, and a
	// broker process logs to this one's standard error.
	Dir string
	// Env is added to this process's environment for a broker process ("GOGC=400", say).
	Env []string
	// Users, when set, makes the broker require SASL: each user logs in with its mechanism
	// only. In-process brokers only.
	Users []SASLUser
	// TLS, when set, makes the broker speak TLS only, with this configuration (a
	// certificate from CA.Issue, say). In-process brokers only.
	TLS *tls.Config
}

// SASLUser is a broker user: Mechanism is "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512".
type SASLUser struct {
	Mechanism, User, Password string
}

// Broker is one Kafka-protocol broker (franz-go's kfake) on 127.0.0.1, which creates
// unknown topics on first use and accepts consumer group session timeouts down to 100 ms
// (Kafka's minimum is 6 s), so that group tests can set short ones. It can be stopped and
// started again on the same port. It is not safe for concurrent use.
type Broker struct {
	cfg     BrokerConfig
	cluster *kfake.Cluster // kfake in this process, while started
	proc    *Process       // kfake-broker, while started
}

// NewBroker describes a broker; Start starts it.
func NewBroker(cfg BrokerConfig) *Broker {
	if cfg.Partitions == 0 {
		cfg.Partitions = kafkaPartitions
	}
	return &Broker{cfg: cfg}
}

// Addr is the broker's "127.0.0.1:port"; with Port 0 it is known once the broker started.
func (b *Broker) Addr() string {
	if b.cfg.Port == 0 {
		return ""
	}
	return addr(b.cfg.Port)
}

// Process is the kfake-broker process, nil while stopped or with kfake in this process.
func (b *Broker) Process() *Process { return b.proc }

// Start starts the broker and returns once it accepts connections.
func (b *Broker) Start(ctx context.Context) error {
	if b.cfg.Dir != "" {
		if err := os.MkdirAll(b.cfg.Dir, 0o755); err != nil {
			return err
		}
	}
	if b.cfg.Bin != "" {
		if len(b.cfg.Users) > 0 || b.cfg.TLS != nil {
			return errors.New("testenv: SASL and TLS brokers run in-process only (no Bin)")
		}
		return b.startProcess(ctx)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.SeedTopics(int32(b.cfg.Partitions), b.cfg.Topics...),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(b.cfg.Partitions),
		kfake.GroupMinSessionTimeout(kafkaGroupMinSession),
	}
	if b.cfg.Port != 0 {
		opts = append(opts, kfake.Ports(b.cfg.Port))
	}
	if len(b.cfg.Users) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range b.cfg.Users {
			opts = append(opts, kfake.Superuser(u.Mechanism, u.User, u.Password))
		}
	}
	if b.cfg.TLS != nil {
		opts = append(opts, kfake.TLS(b.cfg.TLS))
	}
	if b.cfg.Dir != "" {
		opts = append(opts, kfake.DataDir(filepath.Join(b.cfg.Dir, "data")), kfake.SyncWrites())
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("start kfake: %w", err)
	}
	b.cluster = c
	return b.setPort(c.ListenAddrs()[0])
}

// startProcess starts kfake-broker, which prints "listening 127.0.0.1:PORT" once it
// accepts connections.
func (b *Broker) startProcess(ctx context.Context) error {
	args := []string{
		"-port", strconv.Itoa(b.cfg.Port), "-partitions", strconv.Itoa(b.cfg.Partitions),
		"-topics", strings.Join(b.cfg.Topics, ","),
		"-group-min-session-timeout", kafkaGroupMinSession.String(),
	}
	cmd := exec.Command(b.cfg.Bin, args...)
	cmd.Stderr = os.Stderr
	if len(b.cfg.Env) > 0 {
		cmd.Env = append(os.Environ(), b.cfg.Env...)
	}
	fail := func(err error) error { return err }
	if b.cfg.Dir != "" {
		cmd.Args = append(cmd.Args, "-data-dir", filepath.Join(b.cfg.Dir, "data"))
		logPath := filepath.Join(b.cfg.Dir, "broker.log")
		log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer log.Close() // once started, the process has its own copy
		cmd.Stderr = log
		fail = func(err error) error { return fmt.Errorf("%w; the end of %s:\n%s", err, logPath, logTail(logPath)) }
	}
	out, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout = w
	p, err := StartProcess("kfake-broker", cmd)
	w.Close()
	if err != nil {
		out.Close()
		return err
	}
	lines := make(chan string, 1) // the one line it prints
	go func() {                   // ends when the process exits, which closes its stdout
		defer out.Close()
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case line := <-lines:
		a, ok := strings.CutPrefix(line, "listening ")
		if ok && (b.cfg.Port == 0 || a == b.Addr()) {
			b.proc = p
			return b.setPort(a)
		}
		p.Kill()
		return fail(fmt.Errorf("kfake-broker printed %q, want it listening on %s", line, b.Addr()))
	case <-p.done:
		return fail(fmt.Errorf("kfake-broker exited at start: %v", p.cmd.ProcessState))
	case <-ctx.Done():
		p.Kill()
		return fail(fmt.Errorf("kfake-broker did not start: %w", ctx.Err()))
	}
}

// setPort keeps the port the broker listens on, for the next Start.
func (b *Broker) setPort(hostPort string) error {
	_, port, err := net.SplitHostPort(hostPort)
	if err == nil {
		b.cfg.Port, err = strconv.Atoi(port)
	}
	if err != nil {
		_ = b.Stop()
		return fmt.Errorf("broker address %q: %w", hostPort, err)
	}
	return nil
}

// Stop stops the broker; a kfake-broker process gets SIGTERM, and flushes its data.
func (b *Broker) Stop() error {
	if b.cluster != nil {
		b.cluster.Close()
		b.cluster = nil
	}
	if b.proc == nil {
		return nil
	}
	err := b.proc.Term(stopTimeout)
	b.proc = nil
	return err
}
