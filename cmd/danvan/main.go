// Command danvan runs the danvan petition service and its admin tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // deadlines and codes use Asia/Ho_Chi_Minh on any host
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"run", "run the bot service (the default; with nothing configured, the sandbox)", runService},
		{"demo", "try the bot in a browser, without Telegram (a sandbox)", runDemo},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"admin", "organisation, officers and invitations (danvan admin help)", runAdmin},
		{"ticket", "show and list tickets (danvan ticket help)", runTicket},
		{"digest", "leaders' weekly digest: preview, or queue now (danvan digest -h)", runDigest},
		{"export", "write a period's report as XLSX or CSV (danvan export -h)", runExport},
		{"config", "print the configuration settings (secrets redacted)", runConfig},
	}
}

func main() {
	ctx, stop := signalContext()
	err := dispatch(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "danvan:", err)
		os.Exit(1)
	}
}

// signalContext ends at the first interrupt or termination signal, which
// starts a graceful shutdown. From then on these signals have their default
// effect: a second Ctrl+C ends at once a shutdown that takes too long. A
// signal the process was started ignoring (SIGHUP under nohup, SIGINT in
// the background of a script) stays ignored: listening for it would
// undo that, and closing the terminal would stop the service.
func signalContext() (context.Context, context.CancelFunc) {
	signals := []os.Signal{syscall.SIGTERM}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGHUP} {
		if !signal.Ignored(sig) {
			signals = append(signals, sig)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), signals...)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

func dispatch(ctx context.Context, args []string) error {
	name := "run"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args)
		}
	}
	usage()
	if isHelp(name) {
		return nil
	}
	return fmt.Errorf("unknown command %q", name)
}

// isHelp reports whether a command's first argument asks for its usage,
// which then exits with status 0 (flag.ErrHelp).
func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "-help" || arg == "--help"
}

// subcommands are the commands of a group such as "admin calendar".
type subcommands map[string]func(context.Context, []string) error

// runGroup runs the command args name in a group, or prints the group's
// usage and says what was wrong.
func runGroup(ctx context.Context, group, usage string, subs subcommands, args []string) error {
	if len(args) > 0 {
		if run, ok := subs[args[0]]; ok {
			return run(ctx, args[1:])
		}
	}
	fmt.Fprintln(os.Stderr, usage)
	return subcommandError(group, args)
}

// subcommandError is what a command returns after printing its usage for
// a missing or unknown subcommand in args, or for a request for help.
func subcommandError(command string, args []string) error {
	switch {
	case len(args) == 0:
		return fmt.Errorf("%s: missing command", command)
	case isHelp(args[0]):
		return flag.ErrHelp
	}
	return fmt.Errorf("%s: unknown command %q", command, args[0])
}

// parseFlags parses args with fs, the flags wherever they stand among the
// other words: the flag package stops at the first word, and would take
// the flags after it ("admin import FILE -dry-run") for more words. "--"
// ends the flags. fs.Args() then holds the other words.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			words = append(words, rest...)
			break
		}
		words, args = append(words, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, words...))
}

// parseNoArgs is parseFlags for a command that takes flags only: a word
// it would otherwise ignore ("calendar list 2027") is refused, with the
// usage, as a mistyped flag is.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func usage() {
	fmt.Fprintln(os.Stderr, "Usage: danvan <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(os.Stderr, "\nSettings come from environment variables: see `danvan config`.")
}
