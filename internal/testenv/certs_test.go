package testenv_test

import (
	"crypto/tls"
	"testing"

	"github.com/relance/relance/internal/testenv"
)

// A certificate the test CA issues verifies against it, for its hosts only.
func TestCAIssuesCertificatesThatVerify(t *testing.T) {
	ca, err := testenv.NewCA(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.Issue("server", "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{server.Certificate}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	for _, tt := range []struct {
		name, serverName string
		ok               bool
	}{{"its host", "localhost", true}, {"another host", "redis.example", false}} {
		c, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{RootCAs: ca.Pool(), ServerName: tt.serverName})
		if (err == nil) != tt.ok {
			t.Errorf("%s: dial error %v, want ok %v", tt.name, err, tt.ok)
		}
		if c != nil {
			c.Close()
		}
	}
}
