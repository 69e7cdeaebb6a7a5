package connect

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Secret is a password. It formats as "[redacted]" with every fmt verb, in JSON and in
// slog; Reveal gives its value to the one client that needs it.
type Secret string

const redacted = "[redacted]"

// Reveal is the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String, GoString, Format, MarshalText and LogValue keep the value out of every print.
func (s Secret) String() string               { return s.mask() }
func (s Secret) GoString() string             { return s.mask() }
func (s Secret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(s.mask())) }
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(s.mask()) }

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}

// ReadSecretFile reads a secret from a file (a mounted Kubernetes secret, say), trimming one
// trailing newline. The error names the variable that gave the path, never the content.
func ReadSecretFile(setting, path string) (Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", setting, err)
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if v == "" {
		return "", fmt.Errorf("%s: %s is empty", setting, path)
	}
	return Secret(v), nil
}
