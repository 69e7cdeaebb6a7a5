package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/relance/relance/metrics"
)

// DefaultCheckTimeout is how long /readyz waits for its checks.
const DefaultCheckTimeout = 2 * time.Second

// Check reports whether a dependency is usable. It must return once ctx is done; a check
// that does not is reported as failed when the timeout passes anyway.
type Check func(ctx context.Context) error

// Option configures a Server.
type Option func(*Server)

// WithLogger sets the logger (default: none).
func WithLogger(log *zap.Logger) Option {
	return func(s *Server) {
		if log != nil {
			s.log = log
		}
	}
}

// WithCheckTimeout sets how long /readyz gives its checks (default DefaultCheckTimeout).
func WithCheckTimeout(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// Server serves /healthz, /readyz and /metrics.
type Server struct {
	addr    string
	metrics *metrics.Metrics
	checks  map[string]Check
	names   []string // sorted keys of checks
	timeout time.Duration
	log     *zap.Logger
	mux     *http.ServeMux
	srv     *http.Server

	ready atomic.Int32 // last /readyz outcome: 0 unknown, 1 ready, 2 not ready

	mu     sync.Mutex
	ln     net.Listener
	served chan struct{} // closed when the serving goroutine returns
}

// New returns a server for addr (host:port; ":0" picks a free port) that serves m's
// registry and runs checks on /readyz. A nil m gets a fresh metrics.New(). The checks
// map is copied.
func New(addr string, m *metrics.Metrics, checks map[string]Check, opts ...Option) *Server {
	if m == nil {
		m = metrics.New()
	}
	s := &Server{
		addr:    addr,
		metrics: m,
		checks:  make(map[string]Check, len(checks)),
		timeout: DefaultCheckTimeout,
		log:     zap.NewNop(),
		mux:     http.NewServeMux(),
	}
	for name, c := range checks {
		s.checks[name] = c
		s.names = append(s.names, name)
	}
	slices.Sort(s.names)
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.Named("admin")

	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", m.Handler())

	s.srv = &http.Server{
		Addr:              addr,
		Handler:           s.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      s.timeout + 10*time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          zap.NewStdLog(s.log),
	}
	return s
}

// Handler returns the server's mux, for tests and for mounting elsewhere.
func (s *Server) Handler() http.Handler { return s.mux }

// Start listens on the address and serves in a goroutine until Shutdown. A listen error
// (port in use, bad address) is returned at once.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("admin: already started")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.addr, err)
	}
	s.ln = ln
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("admin server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Addr is the address listened on once started (with the actual port when addr asked
// for ":0"), the configured address before.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.addr
}

// Shutdown stops accepting connections, waits for requests in flight until ctx ends, and
// waits for the serving goroutine to return. It is a no-op on a server never started.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	served := s.served
	s.mu.Unlock()
	if served == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		// Requests still running past ctx: cut them off so the goroutine ends.
		err = errors.Join(err, s.srv.Close())
	}
	<-served
	if err != nil {
		return fmt.Errorf("admin shutdown: %w", err)
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// result is one check's outcome.
type result struct {
	name string
	err  error
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	failures := s.runChecks(r.Context())

	var b strings.Builder
	if len(failures) == 0 {
		for _, name := range s.names {
			fmt.Fprintf(&b, "%s: ok\n", name)
		}
	} else {
		for _, name := range s.names {
			if err, failed := failures[name]; failed {
				fmt.Fprintf(&b, "%s: %s\n", name, oneLine(err.Error()))
			}
		}
	}
	s.setReady(len(failures) == 0, b.String())

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(failures) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte(b.String()))
}

// runChecks runs every check concurrently and returns the failures by name. It returns
// within the timeout even if a check ignores its context; that check's goroutine then
// ends when the check returns, its result dropped into the buffered channel.
func (s *Server) runChecks(parent context.Context) map[string]error {
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	defer cancel()

	results := make(chan result, len(s.names)) // buffered: a late check never blocks
	for _, name := range s.names {
		check := s.checks[name]
		go func() {
			results <- result{name, callCheck(ctx, check)}
		}()
	}

	failures := make(map[string]error)
	pending := make(map[string]bool, len(s.names))
	for _, name := range s.names {
		pending[name] = true
	}
	for len(pending) > 0 {
		select {
		case res := <-results:
			delete(pending, res.name)
			if res.err != nil {
				failures[res.name] = res.err
			}
		case <-ctx.Done():
			for name := range pending {
				failures[name] = fmt.Errorf("no answer within %s", s.timeout)
			}
			return failures
		}
	}
	return failures
}

// callCheck runs check, turning a panic into a failure so one bad check cannot take the
// process down.
func callCheck(ctx context.Context, check Check) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check panicked: %v", p)
		}
	}()
	if check == nil {
		return errors.New("nil check")
	}
	return check(ctx)
}

// setReady updates the gauge and logs transitions only, since probes repeat every few
// seconds.
func (s *Server) setReady(ok bool, report string) {
	state := int32(2)
	if ok {
		state = 1
		s.metrics.Ready.Set(1)
	} else {
		s.metrics.Ready.Set(0)
	}
	if prev := s.ready.Swap(state); prev != state {
		if ok {
			s.log.Info("ready")
		} else {
			s.log.Warn("not ready", zap.String("failures", strings.TrimSpace(report)))
		}
	}
}

func oneLine(msg string) string {
	return strings.Join(strings.Fields(msg), " ")
}
