package connect

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// The SASL mechanisms relance speaks.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// Kafka is how relance authenticates to the brokers and encrypts its connections.
type Kafka struct {
	TLS TLS
	// SASLMechanism is SASLPlain, SASLScramSHA256, SASLScramSHA512, or empty for none.
	SASLMechanism string
	SASLUsername  string
	SASLPassword  Secret
}

// KafkaSecurity is Kafka built: the TLS configuration and SASL mechanism every Kafka
// connection uses. Its zero value is plaintext without authentication.
type KafkaSecurity struct {
	TLS  *tls.Config
	SASL sasl.Mechanism
}

// Security checks k and builds it. Errors name the setting at fault.
func (k Kafka) Security() (KafkaSecurity, error) {
	var s KafkaSecurity
	var err error
	if s.TLS, err = k.TLS.Config("RELANCE_KAFKA_TLS"); err != nil {
		return s, err
	}
	if k.SASLMechanism == "" {
		if k.SASLUsername != "" || k.SASLPassword != "" {
			return s, fmt.Errorf("RELANCE_KAFKA_SASL_USERNAME or _PASSWORD set without RELANCE_KAFKA_SASL_MECHANISM")
		}
		return s, nil
	}
	if k.SASLUsername == "" || k.SASLPassword == "" {
		return s, fmt.Errorf("RELANCE_KAFKA_SASL_MECHANISM %s needs RELANCE_KAFKA_SASL_USERNAME and RELANCE_KAFKA_SASL_PASSWORD", k.SASLMechanism)
	}
	switch k.SASLMechanism {
	case SASLPlain:
		s.SASL = plain.Mechanism{Username: k.SASLUsername, Password: k.SASLPassword.Reveal()}
	case SASLScramSHA256, SASLScramSHA512:
		algo := scram.SHA256
		if k.SASLMechanism == SASLScramSHA512 {
			algo = scram.SHA512
		}
		if s.SASL, err = scram.Mechanism(algo, k.SASLUsername, k.SASLPassword.Reveal()); err != nil {
			return s, fmt.Errorf("RELANCE_KAFKA_SASL_MECHANISM %s: %w", k.SASLMechanism, err)
		}
	default:
		return s, fmt.Errorf("RELANCE_KAFKA_SASL_MECHANISM %q: want %s, %s or %s", k.SASLMechanism, SASLPlain, SASLScramSHA256, SASLScramSHA512)
	}
	return s, nil
}

// Dialer is a dialer for kafka-go's readers with s's TLS and SASL.
func (s KafkaSecurity) Dialer() *kafka.Dialer {
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: s.TLS, SASLMechanism: s.SASL}
}

// Transport is a transport for kafka-go's writers and clients with s's TLS and SASL. The
// caller closes its idle connections when done.
func (s KafkaSecurity) Transport() *kafka.Transport {
	return &kafka.Transport{TLS: s.TLS, SASL: s.SASL}
}
