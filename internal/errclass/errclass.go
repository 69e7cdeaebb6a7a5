package errclass

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
)

// Permanent reports whether err will not go away by retrying the call that returned it.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if writes, ok := errors.AsType[kafka.WriteErrors](err); ok {
		// A batch write fails for good only if a record of it does.
		return slices.ContainsFunc(writes, Permanent)
	}
	if code, ok := errors.AsType[kafka.Error](err); ok {
		return slices.Contains(permanentKafka, code)
	}
	if reply, ok := errors.AsType[redis.Error](err); ok {
		msg := reply.Error()
		return slices.ContainsFunc(permanentRedis, func(prefix string) bool { return strings.HasPrefix(msg, prefix) })
	}
	if errors.Is(err, redis.ErrClosed) {
		return true // the client was closed under the call: a bug, not a network
	}
	return badCertificate(err)
}

// permanentKafka are the broker's answers that retrying cannot change: credentials,
// authorisation, and requests the broker rejects as malformed or too large. Others, even
// those kafka-go does not call temporary (a rebalance in progress, an unknown member),
// are retried.
var permanentKafka = []kafka.Error{
	kafka.SASLAuthenticationFailed,
	kafka.UnsupportedSASLMechanism,
	kafka.IllegalSASLState,
	kafka.TopicAuthorizationFailed,
	kafka.GroupAuthorizationFailed,
	kafka.ClusterAuthorizationFailed,
	kafka.MessageSizeTooLarge,
	kafka.RecordListTooLarge,
	kafka.InvalidTopic,
	kafka.InvalidRequiredAcks,
	kafka.UnsupportedVersion,
}

// permanentRedis are the prefixes of Redis error replies that retrying cannot change.
// LOADING, READONLY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN, BUSY, NOSCRIPT, MOVED, ASK, OOM and
// the like pass: they are a server starting, failing over or short of memory.
var permanentRedis = []string{
	"NOAUTH",
	"WRONGPASS",
	"NOPERM",
	"ERR unknown command",
	"ERR wrong number of arguments",
	"ERR Error running script",
	"ERR user_script",
}

// refusedHandshake are the TLS alerts a peer sends when it will never accept the handshake
// as configured (RFC 8446 section 6.2): handshake failure, bad, unsupported, revoked,
// expired or unknown certificate, unknown CA, protocol version, certificate required.
var refusedHandshake = []tls.AlertError{40, 42, 43, 44, 45, 46, 48, 70, 116}

// badCertificate reports a TLS handshake that cannot succeed as configured: the peer's
// certificate does not verify (its CA, its name or its dates are wrong), the peer refused
// ours or our protocol (a TLS alert: bad certificate, certificate required, unknown CA,
// handshake failure), or the peer does not speak TLS at all.
func badCertificate(err error) bool {
	if alert, ok := errors.AsType[tls.AlertError](err); ok {
		return slices.Contains(refusedHandshake, alert)
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return true
	}
	_, ok := errors.AsType[x509.CertificateInvalidError](err)
	return ok
}
