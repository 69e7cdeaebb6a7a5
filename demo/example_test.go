package demo_test

import (
	"context"
	"os"
	"os/signal"

	"github.com/relance/relance/demo"
)

// make run: play the scenario at a readable pace, then keep showing relance's outputs
// (including those of events added with kcat) until Ctrl-C.
func ExampleRun() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := demo.Run(ctx, demo.Config{Brokers: []string{"localhost:9092"}}, os.Stdout); err != nil {
		panic(err)
	}
}

// make demo: play the scenario as fast as possible and return once relance has published
// every output the scenario should cause.
func ExampleRun_exit() {
	err := demo.Run(context.Background(), demo.Config{Brokers: []string{"localhost:9092"}, Pace: -1, Exit: true}, os.Stdout)
	if err != nil {
		os.Exit(1)
	}
}
