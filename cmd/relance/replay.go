package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/replay"
)

const replayUsage = `Usage: relance replay [--policy FILE]... (--input FILE | --from TIME --to TIME) [--format text|json]

Decides past traffic under each policy (the built-in default policy when none is given), in
memory and exactly as the processor would, and prints the figures side by side: events by
outcome, nudges by kind, alerts by severity and by reason, streaks by their peak attempts,
the members nudged and alerted, and each policy's difference from the first. It writes
nothing to Kafka or Redis: this is how a policy change is sized before it is rolled out.

The input is a JSON Lines file of records as kcat -C -J writes them (--input), or the input
topics between two RFC 3339 times (--from included, --to excluded), read with the
processor's connection settings and without a consumer group. Each partition is decided in
its order, the partitions merged by record timestamp. The text check is the processor's,
with its words file and remote classifier when they are set.

Examples:
  for t in message-sent reply member-action; do kcat -C -J -e -b kafka:9092 -t $t; done > week.jsonl
  relance replay --policy nudge-at-5.yaml --input week.jsonl

  RELANCE_KAFKA_BROKERS=kafka:9092 relance replay --policy live.yaml --policy nudge-at-5.yaml \
      --from 2026-11-23T00:00:00Z --to 2026-11-30T00:00:00Z --format json

Flags:
  --policy FILE
    	a policy file to decide under; repeat it to compare policies, the first being the
    	reference (default: the built-in policy alone)
  --input FILE
    	JSON Lines of records as kcat -C -J writes them
  --from TIME, --to TIME
    	replay the input topics' records from TIME to TIME (RFC 3339, e.g. 2026-11-23T00:00:00Z)
  --format text|json
    	text: a table, one column per policy; json: one JSON object per policy, one a line
    	(default "text")
  --progress
    	a progress line on standard error, about once a second (default: when standard error
    	is a terminal; --progress=false never)

Connection and text check settings, the processor's:
`

// replayUsageError is a replay command line that was not understood.
type replayUsageError string

func (e replayUsageError) Error() string { return string(e) + " (see relance replay -help)" }
func (e replayUsageError) Unwrap() error { return errUsage }

// policyFiles is --policy, repeatable.
type policyFiles []string

func (p *policyFiles) String() string { return strings.Join(*p, ",") }
func (p *policyFiles) Set(s string) error {
	if s == "" {
		return errors.New("empty file name")
	}
	*p = append(*p, s)
	return nil
}

// replaySettings are the processor's settings replay uses: Kafka's connection, the input
// topics, the text check and the log level.
func (c *config) replaySettings() []setting {
	var out []setting
	for _, s := range c.settings() {
		switch {
		case s.env == "RELANCE_KAFKA_BROKERS":
			s.usage = "comma-separated Kafka brokers host:port, for --from and --to"
		case strings.HasPrefix(s.env, "RELANCE_KAFKA_") && s.env != "RELANCE_KAFKA_SESSION_TIMEOUT" && s.env != "RELANCE_KAFKA_CLOSE_TIMEOUT",
			s.env == "RELANCE_TOPIC_MESSAGE_SENT", s.env == "RELANCE_TOPIC_REPLY", s.env == "RELANCE_TOPIC_MEMBER_ACTION",
			strings.HasPrefix(s.env, "RELANCE_CONTENT_"), s.env == "RELANCE_LOG_LEVEL":
		default:
			continue
		}
		out = append(out, s)
	}
	return out
}

// replayArgs is a replay command line, checked.
type replayArgs struct {
	c        config
	policies policyFiles
	input    string
	from, to time.Time
	json     bool
	progress bool
}

func parseReplay(args []string, getenv func(string) string, stderr io.Writer) (replayArgs, error) {
	var a replayArgs
	settings := a.c.replaySettings()
	var from, to, format string
	fs := flag.NewFlagSet("relance replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, replayUsage)
		printSettings(stderr, settings)
	}
	fs.Var(&a.policies, "policy", "policy file")
	fs.StringVar(&a.input, "input", "", "kcat -C -J file")
	fs.StringVar(&from, "from", "", "start time")
	fs.StringVar(&to, "to", "", "end time")
	fs.StringVar(&format, "format", "text", "text or json")
	fs.BoolVar(&a.progress, "progress", isTerminal(stderr), "progress line")
	if err := parseSettings(fs, settings, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return a, err
		}
		return a, replayUsageError(err.Error())
	}
	switch {
	case fs.NArg() > 0:
		return a, replayUsageError(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	case a.input == "" && from == "" && to == "":
		return a, replayUsageError("replay needs --input FILE, or --from and --to")
	case a.input != "" && (from != "" || to != ""):
		return a, replayUsageError("--input and --from/--to are exclusive: a file or the topics")
	case a.input == "" && (from == "" || to == ""):
		return a, replayUsageError("--from and --to go together")
	case format != "text" && format != "json":
		return a, replayUsageError(fmt.Sprintf("--format %q: want text or json", format))
	}
	a.json = format == "json"
	if a.input == "" {
		var err error
		if a.from, err = parseTime("--from", from); err != nil {
			return a, err
		}
		if a.to, err = parseTime("--to", to); err != nil {
			return a, err
		}
		switch {
		case !a.from.Before(a.to):
			return a, replayUsageError(fmt.Sprintf("--from %s is not before --to %s", from, to))
		case len(a.c.brokers) == 0:
			return a, replayUsageError("--from and --to read the input topics: set RELANCE_KAFKA_BROKERS (or -kafka-brokers)")
		}
	}
	if a.c.contentConcurrency < 1 || a.c.contentConcurrency > content.MaxRemoteConcurrency {
		return a, replayUsageError(fmt.Sprintf("remote classifier concurrency %d (RELANCE_CONTENT_REMOTE_CONCURRENCY): must be from 1 to %d", a.c.contentConcurrency, content.MaxRemoteConcurrency))
	}
	if err := a.c.topics.Validate(); err != nil {
		return a, replayUsageError(err.Error())
	}
	return a, nil
}

func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, replayUsageError(fmt.Sprintf("%s %q: not an RFC 3339 time, such as 2026-11-23T00:00:00Z", name, s))
	}
	return t, nil
}

// replayCommand is relance replay.
func replayCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := parseReplay(args, getenv, stderr)
	if err != nil {
		return err
	}
	pols := []*policy.Policy{policy.Default()}
	labels := []string{"built-in"}
	if len(a.policies) > 0 {
		pols, labels = nil, nil
		for _, f := range a.policies {
			p, err := policy.Load(f)
			if err != nil {
				return err
			}
			pols, labels = append(pols, p), append(labels, f)
		}
	}
	log, err := newLogger(a.c.logLevel)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // nothing useful to do if stderr is gone
	texts, release, err := setup.TextChecker(setup.Config{
		ContentWordsFile: a.c.contentFile,
		ContentRemote:    content.RemoteConfig{URL: a.c.contentRemote, Timeout: a.c.contentTimeout, Concurrency: a.c.contentConcurrency},
	}, log.Named("replay"))
	if err != nil {
		return err
	}
	defer release()

	var src replay.Source
	if a.input != "" {
		f, err := replay.OpenFile(a.input, a.c.topics)
		if err != nil {
			return err
		}
		if n := f.Skipped(); n > 0 {
			fmt.Fprintf(stderr, "replay: %d records of other topics than the input topics skipped\n", n)
		}
		src = f
	} else {
		sec, err := a.c.kafka.Security()
		if err != nil {
			return err
		}
		if src, err = replay.OpenTopics(ctx, replay.TopicsConfig{Brokers: a.c.brokers, Security: sec, Topics: a.c.topics, From: a.from, To: a.to}); err != nil {
			return err
		}
	}
	defer src.Close()

	opts := []replay.Option{replay.WithTextChecker(texts)}
	if a.progress {
		opts = append(opts, replay.WithProgress(time.Second, progressPrinter(stderr)))
	}
	reports, err := replay.Run(ctx, src, pols, replay.Config{Topics: a.c.topics}, opts...)
	if err != nil {
		return err
	}
	if a.json {
		return replay.WriteJSON(stdout, reports)
	}
	return replay.WriteText(stdout, labels, reports)
}

// progressPrinter writes the progress line on w: rewritten in place on a terminal, one
// line each time otherwise.
func progressPrinter(w io.Writer) func(replay.Progress) {
	tty := isTerminal(w)
	return func(p replay.Progress) {
		line := fmt.Sprintf("replay: %d events", p.Read)
		if p.Total > 0 {
			line += fmt.Sprintf(" of %d (%d%%)", p.Total, 100*p.Read/p.Total)
		}
		line += fmt.Sprintf(", %.0f events/s", p.Rate())
		if left := p.Left(); left > 0 && !p.Done {
			line += fmt.Sprintf(", %s left", left.Round(time.Second))
		}
		if p.Done {
			line += fmt.Sprintf(", done in %s", p.Elapsed.Round(time.Millisecond))
		}
		switch {
		case !tty:
			fmt.Fprintln(w, line)
		case p.Done:
			fmt.Fprintf(w, "\r%s\x1b[K\n", line)
		default:
			fmt.Fprintf(w, "\r%s\x1b[K", line)
		}
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
