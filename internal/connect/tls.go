package connect

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// TLS is the TLS of one kind of connection. Prefix names its settings in errors
// ("RELANCE_KAFKA_TLS", "RELANCE_REDIS_TLS").
type TLS struct {
	Enabled bool
	// CAFile is a PEM bundle of the authorities to verify the server with; empty: the
	// system roots.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key, for mutual TLS: both or
	// neither.
	CertFile, KeyFile string
	// ServerName is the name to verify the server's certificate for; empty: the host
	// dialled.
	ServerName string
}

// Config is the tls.Config of t, nil when TLS is off. A file that cannot be read or does
// not hold what it should is an error naming its setting; so is a file given with TLS off.
func (t TLS) Config(prefix string) (*tls.Config, error) {
	if !t.Enabled {
		if t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.ServerName != "" {
			return nil, fmt.Errorf("%s_CA_FILE, _CERT_FILE, _KEY_FILE or _SERVER_NAME set but %s is false", prefix, prefix)
		}
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s_CA_FILE: %w", prefix, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s_CA_FILE: %s holds no PEM certificate", prefix, t.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s_CERT_FILE and %s_KEY_FILE: %w", prefix, prefix, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case t.CertFile != "":
		return nil, fmt.Errorf("%s_CERT_FILE set without %s_KEY_FILE", prefix, prefix)
	case t.KeyFile != "":
		return nil, fmt.Errorf("%s_KEY_FILE set without %s_CERT_FILE", prefix, prefix)
	}
	return cfg, nil
}
