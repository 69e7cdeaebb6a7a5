package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/relance/relance/policy"
)

// commandsUsage is appended to relance's usage text.
const commandsUsage = `Commands:
  relance [flags]                 run the processor (the default)
  relance version                 print the version, commit and build date
  relance policy check FILE       validate a policy file and print the effective policy
  relance policy explain [FILE]   say in plain words what the policy (default: built-in) does
  relance content check [-locale L] [-words FILE] [TEXT...]
                                  the text check's categories and severities for each TEXT,
                                  or each line of standard input, with the operator's words file
  relance replay [--policy FILE]... (--input FILE | --from TIME --to TIME)
                                  decide past traffic under policies, in memory, side by side
  relance inspect A B             show what Redis holds about members A and B (-format json)
  relance forget MEMBER           erase every record naming MEMBER from Redis
  relance probe [URL]             exit 0 if URL (default http://127.0.0.1:8080/readyz) answers 200,
                                  for container health checks
`

// dispatch runs the subcommand named by args[0], or the processor when there is none:
// flags and an empty command line keep their meaning.
func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return run(ctx, args, getenv)
	}
	switch args[0] {
	case "version":
		if len(args) > 1 {
			return usageError(stderr, "version takes no arguments")
		}
		return currentBuild().write(stdout)
	case "policy":
		return policyCommand(args[1:], stdout, stderr)
	case "content":
		return contentCommand(args[1:], getenv, os.Stdin, stdout, stderr)
	case "replay":
		return replayCommand(ctx, args[1:], getenv, stdout, stderr)
	case "inspect":
		return inspect(ctx, args[1:], getenv, stdout, stderr)
	case "forget":
		return forget(ctx, args[1:], getenv, stdout, stderr)
	case "probe":
		switch len(args) {
		case 1:
			return probe(ctx, defaultProbeURL, stdout)
		case 2:
			return probe(ctx, args[1], stdout)
		}
		return usageError(stderr, "probe takes at most one URL")
	}
	return run(ctx, args, getenv)
}

func policyCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError(stderr, "policy needs a subcommand: check FILE or explain [FILE]")
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "check":
		if len(rest) != 1 {
			return usageError(stderr, "policy check needs exactly one FILE")
		}
		p, err := policy.Load(rest[0])
		if err != nil {
			return err
		}
		out, err := p.YAML()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "# %s is valid. Effective policy, defaults filled in:\n", rest[0])
		_, err = stdout.Write(out)
		return err
	case "explain":
		p := policy.Default()
		switch len(rest) {
		case 0:
		case 1:
			var err error
			if p, err = policy.Load(rest[0]); err != nil {
				return err
			}
		default:
			return usageError(stderr, "policy explain takes at most one FILE")
		}
		_, err := io.WriteString(stdout, p.Describe())
		return err
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, commandsUsage)
		return flag.ErrHelp
	default:
		return usageError(stderr, fmt.Sprintf("unknown policy subcommand %q", sub))
	}
}

// errUsage marks a command line that was not understood; the usage has been printed.
var errUsage = errors.New("see relance -help")

func usageError(stderr io.Writer, msg string) error {
	fmt.Fprint(stderr, commandsUsage)
	return fmt.Errorf("%s (%w)", msg, errUsage)
}
