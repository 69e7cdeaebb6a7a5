package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/relance/relance/content"
)

// maxContentLine bounds a line of standard input: an input value is at most 64 KiB, so no
// message's text is longer.
const maxContentLine = 64 << 10

const contentUsage = `Usage: relance content check [-locale L] [-words FILE] [TEXT...]

Runs relance's built-in text check (rule 3) as the processor runs it, with the operator's
words file applied, on each TEXT, or on each line of standard input when no TEXT is given.
It prints one line per message: the categories found, each with the highest severity of
the word-list entries that matched, or "clean"; then a tab and the message as given.
The severity of a moderation alert is the policy's (its content: section), not the list's.
Nothing is logged, stored or sent anywhere; a remote classifier is never called.

Example:
  $ relance content check -locale fr "t'es vraiment qu'un c.o.n.n.a.r.d" "ravie de te connaître"
  insult:medium	t'es vraiment qu'un c.o.n.n.a.r.d
  clean	ravie de te connaître
  $ relance content check -words words.tsv < messages.txt
`

// contentCommand runs "relance content SUBCOMMAND".
func contentCommand(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		switch {
		case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help"):
			fmt.Fprint(stderr, contentUsage)
			return flag.ErrHelp
		case len(args) == 0:
			return contentUsageError(stderr, "content needs a subcommand: check")
		}
		return contentUsageError(stderr, fmt.Sprintf("unknown content subcommand %q", args[0]))
	}
	fs := flag.NewFlagSet("relance content check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, contentUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	locale := fs.String("locale", "", `the messages' locale ("fr", "en", "fr-FR"…); empty: the languages each text seems written in, as for a message without one`)
	words := fs.String("words", getenv("RELANCE_CONTENT_WORDS_FILE"), "operator's words file (YAML or TSV) added to and removed from the lists; default RELANCE_CONTENT_WORDS_FILE, as the processor; -words '' for the built-in lists alone")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("content check: %w (%w)", err, errUsage)
	}
	if len(*locale) > 64 || strings.ContainsFunc(*locale, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return contentUsageError(stderr, fmt.Sprintf("content check: -locale %q: want a locale such as fr, en or fr-FR", *locale))
	}
	checker := content.Default()
	if *words != "" {
		var err error
		if checker, err = content.New(content.Config{ExtraFile: *words}); err != nil {
			return err // names the file and line
		}
	}
	w := bufio.NewWriter(stdout)
	check := func(text string) {
		fmt.Fprintf(w, "%s\t%s\n", findings(checker.Find(text, *locale)), text)
	}
	if fs.NArg() > 0 {
		for _, text := range fs.Args() {
			check(text)
		}
		return w.Flush()
	}
	lines := bufio.NewScanner(stdin)
	lines.Buffer(make([]byte, 0, 4096), maxContentLine+2) // the line, "\r\n"
	n := 0
	tooLong := fmt.Errorf("longer than %d bytes, more than a message can be", maxContentLine)
	for lines.Scan() {
		n++
		line := strings.TrimSuffix(lines.Text(), "\r")
		if len(line) > maxContentLine {
			return errors.Join(w.Flush(), fmt.Errorf("content check: standard input, line %d: %w", n, tooLong))
		}
		check(line)
	}
	if err := lines.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = tooLong
		}
		return errors.Join(w.Flush(), fmt.Errorf("content check: standard input, line %d: %w", n+1, err))
	}
	return w.Flush()
}

// findings writes a text's findings as "insult:medium threat:high", or "clean".
func findings(fs []content.Finding) string {
	if len(fs) == 0 {
		return "clean"
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f.Category) + ":" + f.Severity.String()
	}
	return strings.Join(out, " ")
}

func contentUsageError(stderr io.Writer, msg string) error {
	fmt.Fprint(stderr, contentUsage)
	return fmt.Errorf("%s (%w)", msg, errUsage)
}
