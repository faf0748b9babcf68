// Command strand is the Strand HTTP server as a program. With no
// arguments it serves a built-in welcome page and /health on
// 127.0.0.1:8080; see internal/cli for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/strandhttp/strand/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
