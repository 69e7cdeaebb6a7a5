package processor_test

import (
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/testenv"
)

// checkRule2 sends rule 2's scenario (ana writes ben 7 times, 10 minutes apart: 7
// attempts) and checks its nudges at the 4th attempt and its alert at the 7th.
func checkRule2(t *testing.T, e *env) {
	t.Helper()
	e.start(nil)
	e.send(streak("m", "ana", "ben", 0, 7)...)
	nudges, alerts, dead := e.outputs()
	var got []string
	for _, n := range nudges {
		got = append(got, nudgeDecision(n))
	}
	for _, a := range alerts {
		got = append(got, alertDecision(a))
	}
	want := []string{"follow_up_limit ana m-4", "check_in ben m-4", "medium ana ben m-7"}
	if !slices.Equal(got, want) || len(dead) != 0 {
		t.Errorf("outputs %q and %d dead letters, want %q and none", got, len(dead), want)
	}
}

// Redis with TLS only, verified with the CA file for a name that is not the address
// dialled (RELANCE_REDIS_TLS_SERVER_NAME), a client certificate, and an ACL user with the
// default user off.
func TestRedisOverTLSWithAnACLUser(t *testing.T) {
	ca, err := testenv.NewCA(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.Issue("redis", "redis.test")
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Issue("relance")
	if err != nil {
		t.Fatal(err)
	}
	s := testenv.StartRedisWith(t, testenv.RedisConfig{
		TLS:  &testenv.RedisTLS{Cert: server, CAFile: ca.CAFile, AuthClients: true},
		User: "relance", Password: "p4ss",
	})
	e := newEnv(t)
	e.redis = connect.Redis{
		Addrs:    []string{s.Addr()},
		Username: "relance", Password: "p4ss",
		TLS: connect.TLS{Enabled: true, CAFile: ca.CAFile, ServerName: "redis.test",
			CertFile: client.CertFile, KeyFile: client.KeyFile},
	}
	checkRule2(t, e)
	if n, err := s.Command("DBSIZE"); err != nil || n == "0" {
		t.Errorf("DBSIZE on the TLS server: %q, %v; want relance's keys there", n, err)
	}
}

// Redis under Sentinel: one master, one replica, one Sentinel; relance is given the
// Sentinel's address and the master's name.
func TestRedisUnderSentinel(t *testing.T) {
	f := testenv.StartRedisSentinel(t, "relance-master")
	e := newEnv(t)
	e.redis = connect.Redis{Addrs: []string{f.Sentinel.Addr()}, SentinelMaster: f.Sentinel.MasterName()}
	e.rdb = redis.NewClient(&redis.Options{Addr: f.Master.Addr()})
	t.Cleanup(func() { e.rdb.Close() })
	checkRule2(t, e)
	if n, err := f.Master.Command("DBSIZE"); err != nil || n == "0" {
		t.Errorf("DBSIZE on the master: %q, %v; want relance's keys there", n, err)
	}
}
