// Command relance is the stream processor; see the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage): // a command line that was not understood
		fmt.Fprintln(os.Stderr, "relance:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "relance:", err)
		os.Exit(1)
	}
}
