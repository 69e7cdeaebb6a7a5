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
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/relance/relance/policy"
)

// Defaults of RemoteConfig.
const (
	DefaultRemoteTimeout          = 200 * time.Millisecond
	DefaultRemoteMaxResponseBytes = 16 << 10
)

// RemoteConfig configures a Remote classifier. Zero values mean the defaults.
type RemoteConfig struct {
	// URL receives a POST per message (see the package documentation). Required: http or
	// https.
	URL string
	// Timeout bounds each request, connection included (default 200 ms): past it, the
	// built-in check answers.
	Timeout time.Duration
	// MaxResponseBytes bounds the response body (default 16 KiB); a longer one is a bad
	// response.
	MaxResponseBytes int64
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
	return c
}

// Remote asks a platform's classification service about each message, and falls back to
// a local check (normally the built-in Checker) when the service fails, is slow or answers
// something else than the protocol. It is safe for concurrent use.
type Remote struct {
	cfg      RemoteConfig
	fallback policy.TextChecker
	client   *http.Client
	log      *zap.Logger

	ownClient bool

	fallbacks atomic.Uint64
	failing   atomic.Bool // the last call failed: log the next failures at debug level only
}

var _ policy.TextChecker = (*Remote)(nil)

// RemoteOption sets an optional collaborator of a Remote.
type RemoteOption func(*Remote)

// WithLogger sets the logger of fallbacks (default: none). Logs carry the error, never the
// text.
func WithLogger(log *zap.Logger) RemoteOption { return func(r *Remote) { r.log = log } }

// WithHTTPClient sets the HTTP client (default: a client of its own, closed by Close). The
// configured timeout applies to every call whatever the client's.
func WithHTTPClient(c *http.Client) RemoteOption { return func(r *Remote) { r.client = c } }

// NewRemote returns a Remote that calls cfg.URL and falls back to fallback (nil: Default()).
func NewRemote(cfg RemoteConfig, fallback policy.TextChecker, opts ...RemoteOption) (*Remote, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if fallback == nil {
		fallback = Default()
	}
	r := &Remote{cfg: cfg.withDefaults(), fallback: fallback, log: zap.NewNop()}
	for _, o := range opts {
		o(r)
	}
	if r.client == nil {
		r.ownClient = true
		r.client = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 16,
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

// Check asks the service, within the configured timeout and ctx; on any failure it returns
// the fallback's answer. When ctx ends first it returns ctx's error: the caller gives the
// batch up, so no fallback answers. Like Checker.Check, the returned slice must not be
// modified.
func (r *Remote) Check(ctx context.Context, text, locale string) ([]policy.Category, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cats, err := r.ask(ctx, text, locale)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		r.fallbacks.Add(1)
		if r.failing.CompareAndSwap(false, true) {
			r.log.Warn("remote classifier failed: using the built-in check until it answers again", zap.Error(err))
		} else {
			r.log.Debug("remote classifier failed: using the built-in check", zap.Error(err))
		}
		cats, err := r.fallback.Check(ctx, text, locale)
		if err != nil {
			return nil, fmt.Errorf("fallback: %w", err)
		}
		return cats, nil
	}
	if r.failing.CompareAndSwap(true, false) {
		r.log.Info("remote classifier answers again")
	}
	return cats, nil
}

// Fallbacks returns how many checks the fallback answered.
func (r *Remote) Fallbacks() uint64 { return r.fallbacks.Load() }

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
