package bench

import (
	"flag"
	"testing"
)

// The baseline runs as many connections as the bot had busy at once in
// the run (the issue asks for "the same number of connections"), unless
// -baseline-conns says otherwise; without a reading of the bot's
// connections, as many as its processes run transactions at once.
func TestBaselineConnsAreTheBotsBusiest(t *testing.T) {
	for _, c := range []struct {
		args     []string
		busyMax  int64
		want     int
		wantFrom string
	}{
		{nil, 7, 7, "bot_connections_busy_max"},
		{[]string{"-fault", "replica-kill"}, 11, 11, "bot_connections_busy_max"},
		{[]string{"-baseline-conns", "2"}, 7, 2, "-baseline-conns"},
		{[]string{"-mode", "webhook", "-replicas", "3"}, 0, 12, "-workers × -replicas (the bot's connections could not be read)"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		o := Flags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if err := o.Normalize(); err != nil {
			t.Fatal(err)
		}
		if got, from := baselineConns(o, c.busyMax); got != c.want || from != c.wantFrom {
			t.Errorf("%v with %d busy: %d connections (%s), want %d (%s)", c.args, c.busyMax, got, from, c.want, c.wantFrom)
		}
	}
}

// Polling replicas elect one poller, so -replicas goes with either mode;
// -fault replica-kill runs at least three, in webhook mode unless -mode
// polling asks to kill the poller.
func TestReplicasInEitherMode(t *testing.T) {
	for _, c := range []struct {
		args     []string
		mode     string
		replicas int
	}{
		{nil, "polling", 1},
		{[]string{"-replicas", "2"}, "polling", 2},
		{[]string{"-mode", "webhook", "-replicas", "2"}, "webhook", 2},
		{[]string{"-fault", "replica-kill"}, "webhook", 3},
		{[]string{"-fault", "replica-kill", "-mode", "polling", "-replicas", "2"}, "polling", 3},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		o := Flags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if err := o.Normalize(); err != nil || o.Mode != c.mode || o.Replicas != c.replicas {
			t.Errorf("%v: %s mode, %d replicas, %v; want %s, %d", c.args, o.Mode, o.Replicas, err, c.mode, c.replicas)
		}
	}
	o := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	o.Replicas = 0
	if err := o.Normalize(); err == nil {
		t.Error("-replicas 0 accepted")
	}
}
