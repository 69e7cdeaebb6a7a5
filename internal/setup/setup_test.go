package setup_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/processor"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// permanentWithin is how soon a setting that cannot work must stop setup.New.
const permanentWithin = 5 * time.Second

// newRelance runs setup.New against r; no broker is dialled before Run.
func newRelance(t *testing.T, ctx context.Context, r connect.Redis) error {
	t.Helper()
	cfg := setup.Config{Processor: processor.Config{Brokers: []string{"127.0.0.1:1"}, GroupID: "g"}, Redis: r}
	rel, err := setup.New(ctx, cfg, setup.WithLogger(zaptest.NewLogger(t)))
	if err == nil {
		rel.Close()
	}
	return err
}

// A refused credential or a certificate that does not verify stops setup.New within
// seconds, with an error naming the setting to fix and never the password.
func TestRedisSettingThatCannotWorkNamesTheSetting(t *testing.T) {
	const password = "correct-horse"
	ca, err := testenv.NewCA(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("redis", "redis.test")
	if err != nil {
		t.Fatal(err)
	}
	other, err := testenv.NewCA(t.TempDir(), "other")
	if err != nil {
		t.Fatal(err)
	}
	acl := testenv.StartRedisWith(t, testenv.RedisConfig{User: "relance", Password: password})
	tlsOnly := testenv.StartRedisWith(t, testenv.RedisConfig{TLS: &testenv.RedisTLS{Cert: cert, CAFile: ca.CAFile}})
	for _, tc := range []struct {
		name  string
		redis connect.Redis
		want  string
	}{
		{"wrong password", connect.Redis{Addrs: []string{acl.Addr()}, Username: "relance", Password: "wrong-" + password}, "RELANCE_REDIS_PASSWORD"},
		{"unknown user", connect.Redis{Addrs: []string{acl.Addr()}, Username: "nobody", Password: password}, "RELANCE_REDIS_USERNAME"},
		{"no password", connect.Redis{Addrs: []string{acl.Addr()}}, "RELANCE_REDIS_PASSWORD"},
		{"another CA", connect.Redis{Addrs: []string{tlsOnly.Addr()}, TLS: connect.TLS{Enabled: true, CAFile: other.CAFile, ServerName: "redis.test"}}, "RELANCE_REDIS_TLS_CA_FILE"},
		{"wrong server name", connect.Redis{Addrs: []string{tlsOnly.Addr()}, TLS: connect.TLS{Enabled: true, CAFile: ca.CAFile, ServerName: "other.test"}}, "RELANCE_REDIS_TLS_SERVER_NAME"},
		{"address not in the certificate", connect.Redis{Addrs: []string{tlsOnly.Addr()}, TLS: connect.TLS{Enabled: true, CAFile: ca.CAFile}}, "RELANCE_REDIS_TLS_SERVER_NAME"},
	} {
		t.Run(tc.name, func(t *testing.T) { checkStopsNaming(t, tc.redis, tc.want, password) })
	}
}

// Sentinels that refuse relance's credentials for them, watch no master of the name it
// asks for, or are no Sentinels stop setup.New like the server's own settings do, naming
// the Sentinel setting and not the server's.
func TestRedisSentinelSettingThatCannotWorkNamesTheSetting(t *testing.T) {
	const user, password = "watcher", "correct-horse"
	f := testenv.StartRedisSentinelWith(t, testenv.SentinelConfig{MasterName: "m", User: user, Password: password})
	sentinel := []string{f.Sentinel.Addr()}
	t.Run("right credentials work", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := newRelance(t, ctx, connect.Redis{Addrs: sentinel, SentinelMaster: "m", SentinelUsername: user, SentinelPassword: password}); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name  string
		redis connect.Redis
		want  string
	}{
		{"wrong password", connect.Redis{Addrs: sentinel, SentinelMaster: "m", SentinelUsername: user, SentinelPassword: "wrong-" + password}, "RELANCE_REDIS_SENTINEL_PASSWORD"},
		{"unknown user", connect.Redis{Addrs: sentinel, SentinelMaster: "m", SentinelUsername: "nobody", SentinelPassword: password}, "RELANCE_REDIS_SENTINEL_USERNAME"},
		{"no password", connect.Redis{Addrs: sentinel, SentinelMaster: "m"}, "RELANCE_REDIS_SENTINEL_PASSWORD"},
		{"unknown master", connect.Redis{Addrs: sentinel, SentinelMaster: "other", SentinelUsername: user, SentinelPassword: password}, "RELANCE_REDIS_SENTINEL_MASTER"},
		{"not a sentinel", connect.Redis{Addrs: []string{f.Master.Addr()}, SentinelMaster: "m"}, "RELANCE_REDIS_ADDR"},
	} {
		t.Run(tc.name, func(t *testing.T) { checkStopsNaming(t, tc.redis, tc.want, password) })
	}
}

// checkStopsNaming checks that setup.New with r fails within permanentWithin, with an
// error naming the setting want and not holding password.
func checkStopsNaming(t *testing.T, r connect.Redis, want, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*permanentWithin)
	defer cancel()
	start := time.Now()
	err := newRelance(t, ctx, r)
	took := time.Since(start)
	if err == nil {
		t.Fatal("setup.New succeeded")
	}
	if took > permanentWithin {
		t.Errorf("failed after %s, want within %s: %v", took, permanentWithin, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error %q holds the password", err)
	}
}

// An unreachable Redis, or unreachable Sentinels, are waited for until the context ends,
// not given up on.
func TestRedisUnreachableIsWaitedFor(t *testing.T) {
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	nobody := []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	for _, tc := range []struct {
		name  string
		redis connect.Redis
	}{
		{"server", connect.Redis{Addrs: nobody}},
		{"sentinel", connect.Redis{Addrs: nobody, SentinelMaster: "m", SentinelPassword: "secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const wait = 1500 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			start := time.Now()
			err := newRelance(t, ctx, tc.redis)
			if err == nil || time.Since(start) < wait {
				t.Fatalf("setup.New returned after %s with %v; want it to wait %s for Redis", time.Since(start), err, wait)
			}
		})
	}
}
