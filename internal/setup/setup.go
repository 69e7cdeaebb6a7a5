package setup

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/backoff"
	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/errclass"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
)

// Config is what relance is built from. Zero values mean the defaults of each part.
type Config struct {
	// Processor is the Kafka side: brokers, group, topics, batching, timeouts. Its Security
	// is built from Kafka.
	Processor processor.Config
	// Kafka is the TLS and SASL of every connection to the brokers.
	Kafka connect.Kafka
	// Redis is how to reach Redis: addresses (required), credentials, TLS, Sentinel.
	Redis connect.Redis
	// State is the store's own configuration (cache, key prefix, bounds).
	State state.Config
	// PolicyFile is a YAML policy file; empty means the default policy.
	PolicyFile string
	// ContentWordsFile adds and removes entries of the built-in text check's word lists.
	ContentWordsFile string
	// ContentRemote is a remote text classifier, the built-in check its fallback; an empty
	// URL means none.
	ContentRemote content.RemoteConfig
}

// Relance is relance built: run Processor, then Close.
type Relance struct {
	Policy    *policy.Policy
	Store     *state.Redis
	Processor *processor.Processor
	Metrics   *metrics.Metrics
	Redis     redis.UniversalClient
	closers   []func()
}

// An Option changes a collaborator, for tests and the benchmark.
type Option func(*options)

type options struct {
	log        *zap.Logger
	policy     *policy.Policy
	texts      policy.TextChecker
	wrapStore  func(processor.Store) processor.Store
	redisHooks []redis.Hook
	procOpts   []processor.Option
}

// WithLogger sets the logger of every part (default: none).
func WithLogger(log *zap.Logger) Option { return func(o *options) { o.log = log } }

// WithPolicy uses pol instead of reading Config.PolicyFile.
func WithPolicy(pol *policy.Policy) Option { return func(o *options) { o.policy = pol } }

// WithTextChecker uses c instead of the built-in text check (and any remote classifier).
func WithTextChecker(c policy.TextChecker) Option { return func(o *options) { o.texts = c } }

// WithStoreWrapper makes the processor call wrap(store) instead of the store itself.
func WithStoreWrapper(wrap func(processor.Store) processor.Store) Option {
	return func(o *options) { o.wrapStore = wrap }
}

// WithRedisHook adds a hook to the Redis client (the benchmark counts round trips).
func WithRedisHook(h redis.Hook) Option {
	return func(o *options) { o.redisHooks = append(o.redisHooks, h) }
}

// WithProcessorOptions passes options on to processor.New, after the logger and metrics.
func WithProcessorOptions(opts ...processor.Option) Option {
	return func(o *options) { o.procOpts = append(o.procOpts, opts...) }
}

// New builds relance. It waits for Redis while it is unreachable (relance may start before
// it) until ctx ends, and asks the brokers for metadata once without waiting for them; a
// setting that cannot work (a refused password, a certificate that does not verify) is an
// error at once.
func New(ctx context.Context, cfg Config, opts ...Option) (_ *Relance, err error) {
	o := options{log: zap.NewNop()}
	for _, opt := range opts {
		opt(&o)
	}
	r := &Relance{Metrics: metrics.New()}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()

	r.Policy = o.policy
	if r.Policy == nil {
		if r.Policy, err = loadPolicy(cfg.PolicyFile); err != nil {
			return nil, err
		}
	}
	texts := o.texts
	if texts == nil {
		if texts, err = r.textChecker(cfg, o.log); err != nil {
			return nil, err
		}
	}
	if cfg.Processor.Security, err = cfg.Kafka.Security(); err != nil {
		return nil, err
	}
	if err := probeKafka(ctx, cfg.Processor.Brokers, cfg.Processor.Security, o.log); err != nil {
		return nil, err
	}
	redisOpts, err := cfg.Redis.Options()
	if err != nil {
		return nil, err
	}
	r.Redis = redis.NewUniversalClient(redisOpts)
	r.closers = append(r.closers, func() { _ = r.Redis.Close() })
	for _, h := range o.redisHooks {
		r.Redis.AddHook(h)
	}
	if r.Store, err = connectStore(ctx, r.Redis, redisOpts, r.Policy, cfg.State, o.log, r.Metrics); err != nil {
		return nil, err
	}
	var store processor.Store = r.Store
	if o.wrapStore != nil {
		store = o.wrapStore(store)
	}
	procOpts := append([]processor.Option{
		processor.WithLogger(o.log), processor.WithMetrics(r.Metrics), processor.WithTextChecker(texts),
	}, o.procOpts...)
	if r.Processor, err = processor.New(cfg.Processor, store, r.Policy, procOpts...); err != nil {
		return nil, err
	}
	return r, nil
}

// Close releases what New opened (the Redis client, the remote classifier's connections),
// last opened first. Call it once Processor.Run has returned.
func (r *Relance) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

func loadPolicy(file string) (*policy.Policy, error) {
	if file == "" {
		return policy.Default(), nil
	}
	return policy.Load(file)
}

// textChecker is the built-in content check, extended by the operator's word file,
// behind the remote classifier when one is configured.
func (r *Relance) textChecker(cfg Config, log *zap.Logger) (policy.TextChecker, error) {
	builtin := content.Default()
	if cfg.ContentWordsFile != "" {
		var err error
		if builtin, err = content.New(content.Config{ExtraFile: cfg.ContentWordsFile}); err != nil {
			return nil, err
		}
	}
	if cfg.ContentRemote.URL == "" {
		return builtin, nil
	}
	remote, err := content.NewRemote(cfg.ContentRemote, builtin, content.WithLogger(log))
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, remote.Close)
	if err := r.Metrics.WatchRemoteClassifier(remote); err != nil {
		return nil, err
	}
	log.Info("remote text classifier", zap.String("url", cfg.ContentRemote.URL), zap.Duration("timeout", cfg.ContentRemote.Timeout), zap.Int("concurrency", remote.Concurrency()))
	return remote, nil
}

// connectStore loads the store's scripts, retrying with backoff while Redis is
// unreachable, so that relance can start before its Redis does; a refused password or
// permission stops it at once, and so do Sentinels that refuse theirs or do not know the
// master. opts are the ones rdb was built from.
func connectStore(ctx context.Context, rdb redis.UniversalClient, opts *redis.UniversalOptions, pol *policy.Policy, cfg state.Config, log *zap.Logger, m *metrics.Metrics) (*state.Redis, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err // a configuration error does not go away by retrying
	}
	delay := 100 * time.Millisecond
	for {
		store, err := state.New(ctx, rdb, pol, cfg, state.WithLogger(log), state.WithMetrics(m))
		if err == nil {
			return store, nil
		}
		if err := checkSentinels(ctx, opts); err != nil {
			return nil, err // before errclass: a Sentinel's refusal reads as the server's
		}
		if ctx.Err() != nil || errclass.Permanent(err) {
			return nil, fmt.Errorf("redis: %s%w", redisSetting(err), err)
		}
		log.Warn("redis not ready, retrying", zap.Duration("backoff", delay), zap.Error(err))
		if backoff.Sleep(ctx, backoff.Jitter(delay)) != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// redisSetting names the setting an operator must fix for a permanent Redis error, as
// "SETTING: ", or is empty. Redis's replies never quote the password, nor does this.
func redisSetting(err error) string {
	if s := credentialSetting(err, "RELANCE_REDIS_USERNAME", "RELANCE_REDIS_PASSWORD"); s != "" {
		return s
	}
	return tlsSetting(err)
}

// credentialSetting names, for a reply refusing the credentials or a permission, the
// username or password setting at fault, as "SETTING: ", or is empty.
func credentialSetting(err error, username, password string) string {
	reply, ok := errors.AsType[redis.Error](err)
	if !ok {
		return ""
	}
	switch msg := reply.Error(); {
	case strings.HasPrefix(msg, "WRONGPASS"):
		return username + " or " + password + " refused: "
	case strings.HasPrefix(msg, "NOAUTH"):
		return password + " required: "
	case strings.HasPrefix(msg, "NOPERM"):
		return username + " lacks a permission: "
	}
	return ""
}

// tlsSetting names the RELANCE_REDIS_TLS setting to fix for a certificate that does not
// verify, as "SETTING: ", or is empty.
func tlsSetting(err error) string {
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return "RELANCE_REDIS_TLS_SERVER_NAME does not match the server's certificate: "
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return "RELANCE_REDIS_TLS_CA_FILE does not verify the server's certificate: "
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return "RELANCE_REDIS_TLS_CA_FILE: the server's certificate is invalid: "
	}
	return ""
}
