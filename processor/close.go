package processor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// cutWait is how long closeReader waits for the reader to end once its connections are
// closed. Everything the reader then waits on fails at once; this only bounds Run should a
// kafka-go version wait on something else.
const cutWait = time.Second

// closeReader closes the consumer group reader, which leaves the group, and waits for it
// at most CloseTimeout. kafka-go's Close has no deadline: it waits for a JoinGroup or
// SyncGroup in flight, which the coordinator holds until the rebalance ends (until a
// killed member's session expires, say: 30 s by default). Past CloseTimeout closeReader
// closes every connection the reader opened and refuses new ones, so that those calls
// fail and the reader's goroutines end; the member has then not left the group, and the
// coordinator drops it when its session expires. Every batch the reader fetched is
// committed by then: only leaving the group is cut short.
func (p *Processor) closeReader(r *kafka.Reader, conns *connSet) error {
	closed := make(chan error, 1)       // the closing goroutine never blocks on its send
	go func() { closed <- r.Close() }() // owned here: waited for below
	timer := time.NewTimer(p.cfg.CloseTimeout)
	defer timer.Stop()
	select {
	case err := <-closed:
		return err
	case <-timer.C:
	}
	p.log.Warn("the consumer group reader did not close in time (the group is rebalancing?): closing its connections without leaving the group; the coordinator drops this member when its session expires",
		zap.Duration("close_timeout", p.cfg.CloseTimeout), zap.Duration("session_timeout", p.cfg.SessionTimeout))
	conns.cut()
	timer.Reset(cutWait)
	select {
	case err := <-closed:
		return err
	case <-timer.C:
		return fmt.Errorf("not closed %s after its connections were: left closing", cutWait)
	}
}

// errCut is the error of a dial once the connections are cut.
var errCut = errors.New("processor: closing, no new connection to the brokers")

// connSet is the set of a reader's open connections to the brokers, so that they can be
// closed from outside (kafka-go's group reader takes no context for its group calls).
type connSet struct {
	ctx    context.Context // ends when cut: dials in progress give up
	cancel context.CancelFunc
	mu     sync.Mutex
	cutOff bool
	open   map[*trackedConn]struct{}
}

func newConnSet() *connSet {
	ctx, cancel := context.WithCancel(context.Background())
	return &connSet{ctx: ctx, cancel: cancel, open: make(map[*trackedConn]struct{})}
}

// dialer is a copy of d whose connections are in s. d's TLS and SASL still apply: they
// run over the connection DialFunc returns.
func (s *connSet) dialer(d *kafka.Dialer) *kafka.Dialer {
	if d == nil {
		d = kafka.DefaultDialer
	}
	dc := *d
	next := d.DialFunc
	if next == nil {
		nd := &net.Dialer{LocalAddr: d.LocalAddr, FallbackDelay: d.FallbackDelay, KeepAlive: d.KeepAlive}
		next = nd.DialContext
	}
	dc.DialFunc = func(ctx context.Context, network, address string) (net.Conn, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(s.ctx, cancel)
		defer stop()
		c, err := next(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return s.add(c)
	}
	return &dc
}

func (s *connSet) add(c net.Conn) (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cutOff {
		c.Close()
		return nil, errCut
	}
	tc := &trackedConn{Conn: c, set: s}
	s.open[tc] = struct{}{}
	return tc, nil
}

func (s *connSet) remove(c *trackedConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
}

// cut closes every open connection and makes every later dial fail.
func (s *connSet) cut() {
	s.cancel()
	s.mu.Lock()
	s.cutOff = true
	open := s.open
	s.open = make(map[*trackedConn]struct{})
	s.mu.Unlock()
	for c := range open {
		_ = c.Conn.Close() // the owner's Close, later, returns this one's error again: harmless
	}
}

// trackedConn leaves its connSet when closed.
type trackedConn struct {
	net.Conn
	set  *connSet
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.set.remove(c) })
	return c.Conn.Close()
}
