package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/topics"
)

// redisTool is a subcommand that reads or changes the processor's records in Redis
// (inspect, forget): it takes the processor's Redis settings, flags and environment alike,
// so it reaches the Redis the processor uses however that is set up.
type redisTool struct {
	name, synopsis, about, example string
	// settings are the processor's settings the tool takes besides Redis's.
	settings []string
	// nargs is how many member ids the tool takes.
	nargs int
}

// toolArgs is a tool's command line, parsed.
type toolArgs struct {
	config
	members []string
	format  string
}

// parse reads args (flags may come after the member ids) and the environment. A command
// line that cannot work is an error wrapping errUsage, the tool's usage printed first.
func (t redisTool) parse(args []string, getenv func(string) string, stderr io.Writer) (toolArgs, error) {
	var a toolArgs
	var settings []setting
	for _, s := range a.config.settings() {
		if s.env == "RELANCE_REDIS_ADDR" {
			s.usage = "Redis host:port, several comma-separated for Redis Cluster: the processor's (required)"
		}
		if strings.HasPrefix(s.env, "RELANCE_REDIS_") || slices.Contains(t.settings, s.env) {
			settings = append(settings, s)
		}
	}
	fs := flag.NewFlagSet("relance "+t.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&a.format, "format", "text", "")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: relance %s %s [flags]\n\n%s\n\nExample:\n  %s\n\nFlags:\n  -format string\n    \toutput: text or json (default \"text\")\n"+
			"The processor's settings, each also set by the environment variable named (the flag wins):\n",
			t.name, t.synopsis, t.about, t.example)
		printSettings(stderr, settings)
	}
	usage := func(format string, args ...any) error { return t.usageError(stderr, fmt.Sprintf(format, args...)) }
	err := parseSettings(fs, settings, args, getenv)
	// The flag package stops at the first argument that is not a flag: take it as a
	// member id and parse on, unless it came after "--".
	for rest := fs.Args(); err == nil && len(rest) > 0; rest = fs.Args() {
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			a.members = append(a.members, rest...)
			break
		}
		a.members = append(a.members, rest[0])
		args = rest[1:]
		err = fs.Parse(args)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return a, err
	case err != nil && strings.HasPrefix(err.Error(), "RELANCE_"):
		return a, usage("%v", err) // an environment variable's value: the flag package printed nothing
	case err != nil:
		return a, toolUsageError{t.name, err.Error()} // the flag package printed it, and the usage
	case len(a.members) != t.nargs:
		return a, usage("takes %s, got %d argument(s)", t.synopsis, len(a.members))
	case a.format != "text" && a.format != "json":
		return a, usage("-format %q: want text or json", a.format)
	case len(a.redisAddrs) == 0:
		return a, usage("RELANCE_REDIS_ADDR (-redis-addr) is required: the Redis the processor uses")
	}
	for _, m := range a.members {
		if err := checkMemberID(m); err != nil {
			return a, usage("%v", err)
		}
	}
	if _, err := a.redisOptions().Options(); err != nil {
		return a, usage("%v", err)
	}
	return a, nil
}

// usageError prints the tool's synopsis and returns msg as an errUsage.
func (t redisTool) usageError(stderr io.Writer, msg string) error {
	fmt.Fprintf(stderr, "Usage: relance %s %s [flags], such as\n  %s\n", t.name, t.synopsis, t.example)
	return toolUsageError{t.name, msg}
}

func (a toolArgs) redisOptions() connect.Redis {
	r := a.redis
	r.Addrs = a.redisAddrs
	return r
}

// toolUsageError is a tool's command line that cannot work: it is an errUsage.
type toolUsageError struct{ tool, msg string }

func (e toolUsageError) Error() string {
	return fmt.Sprintf("%s: %s (see relance %s -help)", e.tool, e.msg, e.tool)
}

func (e toolUsageError) Unwrap() error { return errUsage }

// checkMemberID rejects what no event can carry as a member id (topics' bounds), so that a
// mistyped argument is said to be one rather than looked for.
func checkMemberID(id string) error {
	switch {
	case id == "":
		return errors.New("empty member id")
	case len(id) > topics.MaxIDBytes:
		return fmt.Errorf("member id of %d bytes: an event's ids are at most %d", len(id), topics.MaxIDBytes)
	case !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl):
		return fmt.Errorf("member id %q: holds a control character or invalid UTF-8", id)
	}
	return nil
}

// pingTimeout bounds the first contact with Redis: a tool says at once that it cannot
// reach it rather than waiting for the processor's patience.
const pingTimeout = 10 * time.Second

// connect opens a client of the Redis in a and checks that it answers (every master of a
// Cluster). Its errors name the address, never a password.
func (a toolArgs) connect(ctx context.Context) (redis.UniversalClient, error) {
	r := a.redisOptions()
	opts, err := r.Options() // checked by parse
	if err != nil {
		return nil, err
	}
	client := redis.NewUniversalClient(opts)
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	ping := func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() }
	switch c := client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, ping)
	default:
		err = client.Ping(ctx).Err()
	}
	if err != nil {
		_ = client.Close()
		where := "redis " + strings.Join(a.redisAddrs, ",")
		if r.SentinelMaster != "" {
			where = fmt.Sprintf("redis master %q via the Sentinels %s", r.SentinelMaster, strings.Join(a.redisAddrs, ","))
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return client, nil
}
