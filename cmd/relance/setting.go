package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/connect"
)

// setting is one option: a flag, the environment variable that stands in for it, and the
// value it sets, which holds the built-in default until one of them does. A secret has no
// flag (flag is ""): the environment or a file only.
type setting struct {
	flag, env, usage string
	value            value
}

// value is a flag.Value that tells -help its type and its built-in default. Its Set errors
// say what the text is not ("not a whole number"): the flag package prefixes them with the
// flag and the text, and an environment variable's error reads
// `VAR: "text" is not a whole number`.
type value interface {
	flag.Value
	typeName() string
	defaultText() string
}

// typed is a value of type T written to dst.
type typed[T any] struct {
	dst    *T
	name   string
	def    string // the default as text, whatever the environment or a flag set since
	parse  func(string) (T, error)
	format func(T) string
}

func newValue[T any](dst *T, def T, name string, parse func(string) (T, error), format func(T) string) *typed[T] {
	*dst = def
	return &typed[T]{dst: dst, name: name, def: format(def), parse: parse, format: format}
}

func (v *typed[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return err
	}
	*v.dst = x
	return nil
}

// String is "" on a zero typed: flag.Value allows String on a nil receiver.
func (v *typed[T]) String() string {
	if v == nil || v.dst == nil {
		return ""
	}
	return v.format(*v.dst)
}

func (v *typed[T]) typeName() string    { return v.name }
func (v *typed[T]) defaultText() string { return v.def }

// boolValue lets a bare -flag mean true, as flag.Bool does.
type boolValue struct{ *typed[bool] }

func (boolValue) IsBoolFlag() bool { return true }

func stringVar(dst *string, def string) value {
	return newValue(dst, def, "string", func(s string) (string, error) { return s, nil }, func(s string) string { return s })
}

func boolVar(dst *bool, def bool) value {
	return boolValue{newValue(dst, def, "", func(s string) (bool, error) {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return false, errors.New("not a boolean (true or false, 1 or 0)")
		}
		return b, nil
	}, strconv.FormatBool)}
}

func intVar(dst *int, def int) value {
	return newValue(dst, def, "int", func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return 0, errors.New("out of range")
		case err != nil:
			return 0, errors.New("not a whole number")
		}
		return n, nil
	}, strconv.Itoa)
}

func durationVar(dst *time.Duration, def time.Duration) value {
	return newValue(dst, def, "duration", func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("not a duration (such as 200ms, 30s or 5m)")
		}
		return d, nil
	}, time.Duration.String)
}

// listVar is a comma-separated list; spaces around an item and empty items are dropped, so
// "" is the empty list. A second flag replaces the list rather than adding to it.
func listVar(dst *[]string, def ...string) value {
	return newValue(dst, def, "list", func(s string) ([]string, error) {
		var out []string
		for _, item := range strings.Split(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out, nil
	}, func(l []string) string { return strings.Join(l, ",") })
}

// secret is a password. It has no flag, because a command line shows in ps: it comes from
// its variable, or from the file its …_FILE variable names (a mounted secret), never both.
// -help says whether it is set, never what it is.
type secret struct{ dst *connect.Secret }

func secretVar(dst *connect.Secret) value { return secret{dst} }

func (s secret) Set(v string) error {
	*s.dst = connect.Secret(v)
	return nil
}

// String is connect.Secret's: "[redacted]", or "" when unset.
func (s secret) String() string {
	if s.dst == nil {
		return ""
	}
	return s.dst.String()
}

func (secret) typeName() string { return "secret" }

// defaultText is whether it is set: a secret has no default worth showing, and -help must
// not show its value.
func (s secret) defaultText() string {
	if s.dst == nil || *s.dst == "" {
		return "not set"
	}
	return "set"
}

// fromEnv sets s from env, or from the file env_FILE names.
func (s secret) fromEnv(env string, getenv func(string) string) error {
	v, file := getenv(env), getenv(env+"_FILE")
	switch {
	case v != "" && file != "":
		return fmt.Errorf("%s and %s_FILE are both set: keep one", env, env)
	case file != "":
		sec, err := connect.ReadSecretFile(env+"_FILE", file)
		if err != nil {
			return err
		}
		*s.dst = sec
	case v != "":
		*s.dst = connect.Secret(v)
	}
	return nil
}

// parseSettings registers settings on fs and sets each from its flag in args, else its
// environment variable, else leaves its default. An empty variable counts as unset.
func parseSettings(fs *flag.FlagSet, settings []setting, args []string, getenv func(string) string) error {
	for _, s := range settings {
		if sec, ok := s.value.(secret); ok {
			if err := sec.fromEnv(s.env, getenv); err != nil {
				return err
			}
			continue
		}
		if v := getenv(s.env); v != "" {
			if err := s.value.Set(v); err != nil {
				return fmt.Errorf("%s: %q is %w", s.env, v, err)
			}
		}
		fs.Var(s.value, s.flag, s.usage)
	}
	return fs.Parse(args)
}

// printSettings lists settings as flag.PrintDefaults would, but in table order and each
// with its variable and built-in default.
func printSettings(w io.Writer, settings []setting) {
	for _, s := range settings {
		if _, ok := s.value.(secret); ok {
			fmt.Fprintf(w, "  env %s or %s_FILE\n    \t%s; no flag, as a command line shows in ps (%s)\n", s.env, s.env, s.usage, s.value.defaultText())
			continue
		}
		name := "-" + s.flag
		if t := s.value.typeName(); t != "" {
			name += " " + t
		}
		fmt.Fprintf(w, "  %s\n    \t%s (env %s, default %q)\n", name, s.usage, s.env, s.value.defaultText())
	}
}
