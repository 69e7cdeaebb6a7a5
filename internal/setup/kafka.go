package setup

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/errclass"
)

// kafkaProbeTimeout bounds the start-up probe: long enough for a TLS handshake and a SASL
// exchange, short enough that a broker which does not answer only delays start-up.
const kafkaProbeTimeout = 5 * time.Second

// probeKafka asks a broker for metadata once, through the TLS and SASL the processor will
// use, so that a refused credential or a certificate that does not verify stops start-up
// with the setting to fix, instead of a group reader retrying it. A broker that cannot be
// reached is only logged: relance may start before its broker does.
func probeKafka(ctx context.Context, brokers []string, sec connect.KafkaSecurity, log *zap.Logger) error {
	if len(brokers) == 0 {
		return nil // processor.Config.Validate says what is missing
	}
	ctx, cancel := context.WithTimeout(ctx, kafkaProbeTimeout)
	defer cancel()
	// The dialer, not the transport: it reads a broker closing the connection during the
	// SASL exchange, as brokers may to refuse a password, as the refusal it is.
	var err error
	for _, broker := range brokers {
		var conn *kafka.Conn
		if conn, err = sec.Dialer().DialContext(ctx, "tcp", broker); err != nil {
			if errclass.Permanent(err) {
				break
			}
			continue
		}
		deadline, _ := ctx.Deadline()
		_ = conn.SetDeadline(deadline) // a net.Conn's: cannot fail
		_, err = conn.Brokers()        // a metadata request
		conn.Close()
		if err == nil || errclass.Permanent(err) {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case errclass.Permanent(err):
		return fmt.Errorf("kafka %s: %w", strings.Join(brokers, ","), kafkaSetting(err))
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		return ctx.Err()
	}
	log.Warn("kafka not reachable at start, carrying on", zap.Strings("brokers", brokers), zap.Error(err))
	return nil
}

// kafkaSetting is a permanent error of the probe, prefixed with the setting that would
// fix it. kafka-go's errors carry no credential, so err is kept whole.
func kafkaSetting(err error) error {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.Is(err, kafka.SASLAuthenticationFailed):
		return fmt.Errorf("RELANCE_KAFKA_SASL_USERNAME/PASSWORD: SASL authentication failed: %w", err)
	case errors.Is(err, kafka.UnsupportedSASLMechanism):
		return fmt.Errorf("RELANCE_KAFKA_SASL_MECHANISM: the broker does not offer it: %w", err)
	case errors.Is(err, kafka.IllegalSASLState):
		return fmt.Errorf("RELANCE_KAFKA_SASL_MECHANISM: the broker does not expect SASL here: %w", err)
	case errors.As(err, &unknownCA):
		return fmt.Errorf("RELANCE_KAFKA_TLS_CA_FILE: certificate signed by unknown authority: %w", err)
	case errors.As(err, &hostname):
		return fmt.Errorf("RELANCE_KAFKA_TLS_SERVER_NAME: the broker's certificate is for another name: %w", err)
	case errors.As(err, &verify):
		return fmt.Errorf("RELANCE_KAFKA_TLS_CA_FILE: the broker's certificate does not verify: %w", err)
	case errors.Is(err, kafka.ClusterAuthorizationFailed), errors.Is(err, kafka.TopicAuthorizationFailed), errors.Is(err, kafka.GroupAuthorizationFailed):
		return fmt.Errorf("RELANCE_KAFKA_SASL_USERNAME: refused by the broker's ACLs: %w", err)
	}
	return err
}
