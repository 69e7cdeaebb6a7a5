package content

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/relance/relance/policy"
)

// Defaults and bounds of RemoteConfig.
const (
	DefaultRemoteTimeout          = 200 * time.Millisecond
	DefaultRemoteMaxResponseBytes = 16 << 10
	DefaultRemoteConcurrency      = 32
	MaxRemoteConcurrency          = 1024
	DefaultBreakerFailures        = 5
	DefaultBreakerCooldown        = 5 * time.Second
)

// RemoteConfig configures a Remote classifier. Zero values mean the defaults.
type RemoteConfig struct {
	// URL receives a POST per message (see the package documentation). Required: http or
	// https.
	URL string
	// Timeout bounds each request, connection included (default 200 ms): past it, the
	// fallback answers.
	Timeout time.Duration
	// MaxResponseBytes bounds the response body (default 16 KiB); a longer one is a bad
	// response.
	MaxResponseBytes int64
	// Concurrency is how many calls policy.CheckTexts makes at once for a batch (default
	// 32, at most 1024), and how many connections the Remote's own client keeps to the
	// service.
	Concurrency int
	// BreakerFailures is how many failed calls in a row open the circuit breaker (default
	// 5). While it is open the fallback answers at once, without calling the service.
	BreakerFailures int
	// BreakerCooldown is how long the breaker stays open (default 5 s) before one trial
	// call: its success closes the breaker, its failure opens it for another cooldown.
	BreakerCooldown time.Duration
}

// Validate checks the configuration.
func (c RemoteConfig) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return errors.New("content: remote classifier: URL is required")
	case err != nil:
		return fmt.Errorf("content: remote classifier: URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return fmt.Errorf("content: remote classifier: URL %q: want http:// or https://host/…", c.URL)
	case c.Timeout < 0:
		return fmt.Errorf("content: remote classifier: timeout %v is negative", c.Timeout)
	case c.MaxResponseBytes < 0:
		return fmt.Errorf("content: remote classifier: max response bytes %d is negative", c.MaxResponseBytes)
	case c.Concurrency < 0 || c.Concurrency > MaxRemoteConcurrency:
		return fmt.Errorf("content: remote classifier: concurrency %d: want 1 to %d", c.Concurrency, MaxRemoteConcurrency)
	case c.BreakerFailures < 0:
		return fmt.Errorf("content: remote classifier: breaker failures %d is negative", c.BreakerFailures)
	case c.BreakerCooldown < 0:
		return fmt.Errorf("content: remote classifier: breaker cooldown %v is negative", c.BreakerCooldown)
	}
	return nil
}

func (c RemoteConfig) withDefaults() RemoteConfig {
	if c.Timeout == 0 {
		c.Timeout = DefaultRemoteTimeout
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultRemoteMaxResponseBytes
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultRemoteConcurrency
	}
	if c.BreakerFailures == 0 {
		c.BreakerFailures = DefaultBreakerFailures
	}
	if c.BreakerCooldown == 0 {
		c.BreakerCooldown = DefaultBreakerCooldown
	}
	return c
}

// Remote asks a platform's classification service about each message, and falls back to
// a local check (normally the built-in Checker) when the service fails, is slow or answers
// something else than the protocol. A circuit breaker stops calling a service that keeps
// failing, so that a batch does not wait a timeout per message. It is safe for concurrent
// use.
type Remote struct {
	cfg      RemoteConfig
	fallback policy.TextChecker
	client   *http.Client
	log      *zap.Logger
	now      func() time.Time

	ownClient bool

	fallbacks atomic.Uint64

	mu        sync.Mutex
	failures  int       // calls failed in a row
	openUntil time.Time // zero while the breaker is closed
	trial     bool      // the half-open breaker's trial call is in flight
}

var _ policy.ConcurrentChecker = (*Remote)(nil)

// RemoteOption sets an optional collaborator of a Remote.
type RemoteOption func(*Remote)

// WithLogger sets the logger of failures and of the breaker (default: none). Logs carry
// the error, never the text.
func WithLogger(log *zap.Logger) RemoteOption { return func(r *Remote) { r.log = log } }

// WithHTTPClient sets the HTTP client (default: a client of its own, closed by Close). The
// configured timeout applies to every call whatever the client's.
func WithHTTPClient(c *http.Client) RemoteOption { return func(r *Remote) { r.client = c } }

// WithClock sets the breaker's clock (default: time.Now).
func WithClock(now func() time.Time) RemoteOption { return func(r *Remote) { r.now = now } }

// NewRemote returns a Remote that calls cfg.URL and falls back to fallback (nil: Default()).
func NewRemote(cfg RemoteConfig, fallback policy.TextChecker, opts ...RemoteOption) (*Remote, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if fallback == nil {
		fallback = Default()
	}
	r := &Remote{cfg: cfg.withDefaults(), fallback: fallback, log: zap.NewNop(), now: time.Now}
	for _, o := range opts {
		o(r)
	}
	if r.client == nil {
		r.ownClient = true
		// As many connections as calls in flight: fewer would queue calls inside their
		// timeout, more would sit idle.
		r.client = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: r.cfg.Concurrency,
			MaxConnsPerHost:     r.cfg.Concurrency,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	r.log = r.log.Named("content.remote")
	return r, nil
}

// remoteRequest and remoteResponse are the protocol's bodies.
type remoteRequest struct {
	Text   string `json:"text"`
	Locale string `json:"locale"`
}

type remoteResponse struct {
	Categories *[]string `json:"categories"`
}

// Check asks the service, within the configured timeout and ctx; on any failure, or at
// once while the breaker is open, it returns the fallback's answer. When ctx ends first it
// returns ctx's error: the caller gives the batch up, so no fallback answers. Like
// Checker.Check, the returned slice must not be modified.
func (r *Remote) Check(ctx context.Context, text, locale string) ([]policy.Category, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	trial, ok := r.admit()
	if !ok {
		return r.fallBack(ctx, text, locale)
	}
	cats, err := r.ask(ctx, text, locale)
	if err != nil && ctx.Err() != nil {
		r.abandon(trial)
		return nil, ctx.Err()
	}
	r.record(trial, err)
	if err != nil {
		return r.fallBack(ctx, text, locale)
	}
	return cats, nil
}

// Concurrency returns RemoteConfig.Concurrency: policy.CheckTexts makes as many calls at
// once.
func (r *Remote) Concurrency() int { return r.cfg.Concurrency }

// Fallbacks returns how many checks the fallback answered, the breaker's included.
func (r *Remote) Fallbacks() uint64 { return r.fallbacks.Load() }

// BreakerOpen reports whether the circuit breaker is open (or half-open): the service
// failed RemoteConfig.BreakerFailures times in a row and has not answered since.
func (r *Remote) BreakerOpen() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.openUntil.IsZero()
}

func (r *Remote) fallBack(ctx context.Context, text, locale string) ([]policy.Category, error) {
	r.fallbacks.Add(1)
	cats, err := r.fallback.Check(ctx, text, locale)
	if err != nil {
		return nil, fmt.Errorf("fallback: %w", err)
	}
	return cats, nil
}

// admit says whether a call may go to the service, and whether it is the half-open
// breaker's trial.
func (r *Remote) admit() (trial, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.openUntil.IsZero():
		return false, true
	case r.trial || r.now().Before(r.openUntil):
		return false, false
	}
	r.trial = true
	return true, true
}

// abandon forgets a call the caller gave up on: it says nothing of the service.
func (r *Remote) abandon(trial bool) {
	if !trial {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trial = false // the next call is the trial
}

// breakerEvent is what a call's outcome changed, to log outside the lock.
type breakerEvent int

const (
	eventNone        breakerEvent = iota
	eventFailing                  // the first failure after an answer
	eventFailed                   // another failure, the breaker still closed
	eventOpened                   // the failure that opened the breaker
	eventTrialFailed              // the breaker opens again
	eventAnswers                  // an answer after failures, the breaker closed
	eventClosed                   // the trial's answer closed the breaker
)

// record updates the breaker with the outcome of a call it admitted, and logs the change.
func (r *Remote) record(trial bool, err error) {
	r.mu.Lock()
	ev := r.transition(trial, err)
	failures := r.failures
	r.mu.Unlock()

	cooldown := zap.Duration("cooldown", r.cfg.BreakerCooldown)
	switch ev {
	case eventFailing:
		r.log.Warn("remote classifier failed: the fallback answers until it answers again", zap.Error(err))
	case eventFailed:
		r.log.Debug("remote classifier failed: the fallback answers", zap.Error(err))
	case eventOpened:
		r.log.Warn("remote classifier keeps failing: circuit breaker open, the fallback answers without calling it",
			zap.Int("failures", failures), cooldown, zap.Error(err))
	case eventTrialFailed:
		r.log.Debug("remote classifier trial call failed: circuit breaker open again", cooldown, zap.Error(err))
	case eventAnswers:
		r.log.Info("remote classifier answers again")
	case eventClosed:
		r.log.Info("remote classifier answers again: circuit breaker closed")
	}
}

// transition applies a call's outcome to the breaker. r.mu is held.
func (r *Remote) transition(trial bool, err error) breakerEvent {
	open := !r.openUntil.IsZero()
	switch {
	case trial && err == nil:
		r.trial, r.failures, r.openUntil = false, 0, time.Time{}
		return eventClosed
	case trial:
		r.trial, r.openUntil = false, r.now().Add(r.cfg.BreakerCooldown)
		r.failures++
		return eventTrialFailed
	case open:
		return eventNone // admitted before the breaker opened: only the trial decides
	case err == nil:
		ev := eventNone
		if r.failures > 0 {
			ev = eventAnswers
		}
		r.failures = 0
		return ev
	}
	r.failures++
	switch {
	case r.failures >= r.cfg.BreakerFailures:
		r.openUntil = r.now().Add(r.cfg.BreakerCooldown)
		return eventOpened
	case r.failures == 1:
		return eventFailing
	}
	return eventFailed
}

// Close closes the idle connections of the Remote's own HTTP client (not of one given
// with WithHTTPClient).
func (r *Remote) Close() {
	if r.ownClient {
		r.client.CloseIdleConnections()
	}
}

// errBadResponse wraps every answer that does not follow the protocol.
var errBadResponse = errors.New("bad response")

func (r *Remote) ask(ctx context.Context, text, locale string) ([]policy.Category, error) {
	body, err := json.Marshal(remoteRequest{Text: text, Locale: locale})
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call: %w", redactURL(err))
	}
	defer func() {
		// Drain a little so the connection can be reused, never much.
		_, _ = io.CopyN(io.Discard, resp.Body, r.cfg.MaxResponseBytes)
		resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: status %d", errBadResponse, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, r.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(data)) > r.cfg.MaxResponseBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", errBadResponse, r.cfg.MaxResponseBytes)
	}
	var out remoteResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%w: not JSON of the protocol", errBadResponse) // the error could quote the body
	}
	if out.Categories == nil {
		return nil, fmt.Errorf("%w: no categories", errBadResponse)
	}
	set := 0
	for _, name := range *out.Categories {
		i := slices.Index(categories[:], policy.Category(name))
		if i < 0 {
			return nil, fmt.Errorf("%w: unknown category %q", errBadResponse, truncate(name, 32))
		}
		set |= 1 << i
	}
	return categorySets[set], nil
}

// redactURL drops the URL from a client error: it may carry credentials in its query.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
