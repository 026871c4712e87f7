package bench

import (
	"flag"
	"testing"
)

// The baseline runs as many connections as the bot processes run
// transactions at once: -workers in each of the -replicas.
func TestBaselineConnsFollowTheReplicas(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 4},
		{[]string{"-workers", "6"}, 6},
		{[]string{"-mode", "webhook", "-replicas", "3"}, 12},
		{[]string{"-fault", "replica-kill"}, 12},
		{[]string{"-mode", "webhook", "-replicas", "3", "-baseline-conns", "2"}, 2},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		o := Flags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if err := o.Normalize(); err != nil {
			t.Fatal(err)
		}
		if o.BaselineConns != c.want {
			t.Errorf("%v: baseline_conns %d, want %d", c.args, o.BaselineConns, c.want)
		}
	}
}
