package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/admin"
	"github.com/relance/relance/content"
	"github.com/relance/relance/demo"
	"github.com/relance/relance/embedded"
	"github.com/relance/relance/internal/gctune"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
)

// run starts relance and blocks until ctx is cancelled (or, in demo-exit mode, the demo
// ends), then shuts down in order: stop fetching and commit, close Kafka, close Redis,
// stop the HTTP server.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := parseConfig(args, getenv, os.Stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.logLevel)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // nothing useful to do if stderr is gone
	log.Info("garbage collector pace", zap.Int("gogc", gctune.Default(getenv)))

	pol := policy.Default()
	if cfg.policyFile != "" {
		if pol, err = policy.Load(cfg.policyFile); err != nil {
			return err
		}
	}
	log.Info("policy loaded", zap.String("policy_version", pol.Version()), zap.String("file", cfg.policyFile))
	texts, closeTexts, err := newTextChecker(cfg, log)
	if err != nil {
		return err
	}
	defer closeTexts()

	if len(cfg.brokers) == 0 {
		k, err := embedded.StartKafka(ctx, cfg.topics.WithDefaults().All(), 3, log)
		if err != nil {
			return fmt.Errorf("embedded kafka: %w", err)
		}
		defer k.Close()
		cfg.brokers = k.Addrs()
	}
	if len(cfg.redisAddrs) == 0 {
		r, err := embedded.StartRedis(log)
		if err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		defer r.Close()
		cfg.redisAddrs = []string{r.Addr()}
	}

	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: cfg.redisAddrs})
	defer rdb.Close()
	store, err := connectStore(ctx, rdb, pol, cfg.cachePairs, log)
	if err != nil {
		return err
	}

	m := metrics.New()
	proc, err := processor.New(processor.Config{
		Brokers:           cfg.brokers,
		GroupID:           cfg.groupID,
		Topics:            cfg.topics,
		SessionTimeout:    cfg.sessionTimeout,
		HeartbeatInterval: cfg.sessionTimeout / 10,
	}, store, pol, processor.WithLogger(log), processor.WithMetrics(m), processor.WithTextChecker(texts))
	if err != nil {
		return err
	}

	srv := admin.New(cfg.httpAddr, m, map[string]admin.Check{
		"kafka": proc.Ready,
		"redis": store.Ping,
	}, admin.WithLogger(log))
	if err := srv.Start(); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Warn("http shutdown", zap.Error(err))
		}
	}()
	log.Info("admin endpoints listening", zap.String("addr", srv.Addr()))

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(runCtx)
	g.Go(func() error { return proc.Run(gctx) })
	if cfg.demo {
		g.Go(func() error {
			err := demo.Run(gctx, demo.Config{Brokers: cfg.brokers, Topics: cfg.topics, Exit: cfg.demoExit, Pace: cfg.demoPace}, os.Stdout)
			if cfg.demoExit {
				cancel() // the scenario has played: stop relance too
			}
			return err
		})
	}
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// connectStore loads the store's scripts, retrying with backoff while Redis is unreachable
// so that relance can start before its Redis does.
func connectStore(ctx context.Context, rdb redis.UniversalClient, pol *policy.Policy, cachePairs int, log *zap.Logger) (*state.Redis, error) {
	cfg := state.PolicyConfig(pol)
	cfg.CachePairs = cachePairs
	if cachePairs == 0 {
		cfg.CachePairs = -1 // state.Config's "none"; its 0 means the default
	}
	if err := cfg.Validate(); err != nil {
		return nil, err // a configuration error does not go away by retrying
	}
	backoff := 100 * time.Millisecond
	for {
		store, err := state.New(ctx, rdb, cfg, state.WithLogger(log))
		if err == nil {
			return store, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		log.Warn("redis not ready, retrying", zap.Duration("backoff", backoff), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("redis: %w", err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// newTextChecker is the built-in content check, extended by the operator's word file,
// behind the remote classifier when one is configured.
func newTextChecker(cfg config, log *zap.Logger) (policy.TextChecker, func(), error) {
	builtin, err := content.New(content.Config{ExtraFile: cfg.contentFile})
	if err != nil {
		return nil, nil, err
	}
	if cfg.contentRemote == "" {
		return builtin, func() {}, nil
	}
	remote, err := content.NewRemote(content.RemoteConfig{URL: cfg.contentRemote, Timeout: cfg.contentTimeout, Concurrency: cfg.contentConcurrency},
		builtin, content.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	log.Info("remote text classifier", zap.String("url", cfg.contentRemote), zap.Duration("timeout", cfg.contentTimeout),
		zap.Int("concurrency", cfg.contentConcurrency))
	return remote, remote.Close, nil
}

// newLogger is zap's production JSON logger at the given level.
func newLogger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level: %w", err)
	}
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(lvl)
	zc.EncoderConfig.TimeKey = "time"
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	log, err := zc.Build()
	if err != nil {
		return nil, fmt.Errorf("logger: %w", err)
	}
	return log.Named("relance"), nil
}
