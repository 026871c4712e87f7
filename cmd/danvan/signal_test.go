package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// signalChildEnv makes the test binary, run again, the process that
// TestASecondSignalEndsTheShutdown signals.
const signalChildEnv = "DANVAN_TEST_SIGNAL_CHILD"

// signalChild waits for a signal, then "shuts down" for a minute.
func signalChild() {
	ctx, _ := signalContext()
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("stopping")
	time.Sleep(time.Minute)
	os.Exit(0)
}

// The first Ctrl+C starts a graceful shutdown; a second one ends the
// process at once, rather than being swallowed while the shutdown drains.
func TestASecondSignalEndsTheShutdown(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), signalChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	expect := func(want string) {
		t.Helper()
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("the child said %q (%v), want %q", lines.Text(), lines.Err(), want)
		}
	}
	expect("ready")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	expect("stopping")
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Signals that arrive before the handler lets go are still caught:
	// send them until the process ends, for at most 3 s.
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
				t.Fatalf("the child ended with %v, want killed by SIGINT", err)
			}
			return
		case <-time.After(100 * time.Millisecond):
			_ = cmd.Process.Signal(os.Interrupt)
		}
	}
	t.Fatal("a second Ctrl+C did not end the shutdown")
}

// Started under nohup, the service outlives the terminal: SIGHUP, which
// nohup ignores, stays ignored, and SIGTERM still stops it.
func TestASignalIgnoredAtStartStaysIgnored(t *testing.T) {
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Fatal("nohup is needed (coreutils):", err)
	}
	cmd := exec.Command(nohup, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), signalChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	said := make(chan string, 2)
	go func() {
		for lines := bufio.NewScanner(out); lines.Scan(); {
			said <- lines.Text()
		}
		close(said)
	}()
	if got := <-said; got != "ready" {
		t.Fatalf("the child said %q, want ready", got)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-said:
		t.Fatalf("after SIGHUP under nohup the child said %q", got)
	case <-time.After(500 * time.Millisecond):
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-said:
		if got != "stopping" {
			t.Fatalf("after SIGTERM the child said %q, want stopping", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not start the shutdown")
	}
}
