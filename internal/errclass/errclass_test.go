package errclass_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/errclass"
)

// reply is a Redis error reply as go-redis returns one.
type reply string

func (r reply) Error() string { return string(r) }
func (reply) RedisError()     {}

func TestPermanent(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"an unknown error", errors.New("something odd"), false},
		{"connection reset", io.ErrUnexpectedEOF, false},
		{"context deadline", context.DeadlineExceeded, false},
		{"redis loading", reply("LOADING Redis is loading the dataset in memory"), false},
		{"redis replica after a failover", reply("READONLY You can't write against a read only replica."), false},
		{"redis lost the script", reply("NOSCRIPT No matching script."), false},
		{"redis cluster down", reply("CLUSTERDOWN The cluster is down"), false},
		{"redis out of memory", reply("OOM command not allowed when used memory > 'maxmemory'."), false},
		{"redis wrong password", reply("WRONGPASS invalid username-password pair or user is disabled."), true},
		{"redis no auth", reply("NOAUTH Authentication required."), true},
		{"redis acl", reply("NOPERM this user has no permissions to run the 'evalsha' command"), true},
		{"redis client closed", redis.ErrClosed, true},
		{"kafka leader moving", kafka.LeaderNotAvailable, false},
		{"kafka rebalance during a commit", kafka.RebalanceInProgress, false},
		{"kafka unknown member", kafka.UnknownMemberId, false},
		{"kafka coordinator unavailable", kafka.GroupCoordinatorNotAvailable, false},
		{"kafka sasl", kafka.SASLAuthenticationFailed, true},
		{"kafka topic acl", kafka.TopicAuthorizationFailed, true},
		{"kafka group acl", kafka.GroupAuthorizationFailed, true},
		{"kafka record too large", kafka.MessageSizeTooLarge, true},
		{"kafka writes, all transient", kafka.WriteErrors{nil, kafka.NotLeaderForPartition}, false},
		{"kafka writes, one permanent", kafka.WriteErrors{kafka.NotLeaderForPartition, kafka.TopicAuthorizationFailed}, true},
		{"wrapped", fmt.Errorf("redis: %w", reply("NOPERM no")), true},
		{"unknown certificate authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, true},
		{"certificate for another host", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "redis"}, true},
		{"server refused our certificate", tls.AlertError(42), true},
		{"server does not speak TLS", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := errclass.Permanent(tt.err); got != tt.want {
				t.Errorf("Permanent(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// The errors real clients return: a closed port is transient, a refused password and a
// certificate that does not verify are not.
func TestPermanentOnRealErrors(t *testing.T) {
	ctx := context.Background()

	closed := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer closed.Close()
	err := closed.Ping(ctx).Err()
	var netErr net.Error
	if err == nil || !errors.As(err, &netErr) || errclass.Permanent(err) {
		t.Errorf("closed port: %v (permanent %v), want a transient network error", err, errclass.Permanent(err))
	}

	mr := miniredis.RunT(t)
	mr.RequireAuth("right")
	wrong := redis.NewClient(&redis.Options{Addr: mr.Addr(), Password: "wrong", MaxRetries: -1})
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil || !errclass.Permanent(err) {
		t.Errorf("wrong password: %v, want a permanent error", err)
	}
	none := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	defer none.Close()
	if err := none.Ping(ctx).Err(); err == nil || !errclass.Permanent(err) {
		t.Errorf("no password: %v, want a permanent error", err)
	}

	plain := httptest.NewServer(http.NotFoundHandler()) // TLS to a server that speaks HTTP
	defer plain.Close()
	if c, err := tls.Dial("tcp", plain.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true}); err == nil {
		c.Close()
		t.Error("TLS to a plaintext server succeeded")
	} else if !errclass.Permanent(err) {
		t.Errorf("TLS to a plaintext server: %v, want a permanent error", err)
	}

	srv := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate no system root signs
	defer srv.Close()
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{})
	if err == nil {
		conn.Close()
		t.Fatal("TLS to a self-signed server verified")
	}
	if !errclass.Permanent(err) {
		t.Errorf("self-signed certificate: %v, want a permanent error", err)
	}
}
