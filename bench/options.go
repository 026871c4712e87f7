package bench

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault modes.
const (
	FaultNone        = "none"
	FaultKill        = "kill"
	FaultAPI         = "api"
	FaultStorm       = "storm"
	FaultPGRestart   = "pgrestart"
	FaultPGCrash     = "pgcrash"
	FaultReplicaKill = "replica-kill"
	FaultFlood       = "flood"
)

var faultModes = []string{FaultNone, FaultKill, FaultAPI, FaultStorm, FaultPGRestart, FaultPGCrash, FaultReplicaKill, FaultFlood}

// Options are the benchmark's settings; every field has a flag.
type Options struct {
	Citizens int           `json:"citizens"`
	Officers int           `json:"officers"`
	Rate     float64       `json:"rate"` // offered updates/s; 0 = closed loop
	Poisson  bool          `json:"poisson"`
	Duration time.Duration `json:"-"`
	Limits   bool          `json:"limits"`
	RTT      time.Duration `json:"-"`
	Mode     string        `json:"mode"`
	Replicas int           `json:"replicas"`
	Fault    string        `json:"fault"`
	Kills    int           `json:"kills"`
	Workers  int           `json:"workers"`
	Hold     int           `json:"hold"`
	// FloodRate is how many messages a second -fault flood's account
	// sends; ChatBacklog the bot's CHAT_BACKLOG (-1: its default);
	// ChatRate its CHAT_RATE.
	FloodRate   float64 `json:"flood_rate"`
	ChatBacklog int     `json:"chat_backlog"`
	ChatRate    int     `json:"chat_rate"`

	DatabaseURL      string        `json:"-"`
	BaselineConns    int           `json:"baseline_conns"`
	BaselineDuration time.Duration `json:"-"`
	StepTimeout      time.Duration `json:"-"`
	Drain            time.Duration `json:"-"`
	JobsCheck        time.Duration `json:"-"`

	Sweep string `json:"sweep,omitempty"`
	Chart string `json:"chart,omitempty"`

	JSONOnly bool   `json:"-"`
	Smoke    bool   `json:"smoke"`
	Binary   string `json:"-"` // a prebuilt danvan binary; "" builds one
	Seed     uint64 `json:"seed"`
}

// Flags registers the options on fs and returns them, filled in when fs
// is parsed.
func Flags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.IntVar(&o.Citizens, "citizens", 50, "scripted citizens in the closed loop (each files petitions back to back)")
	fs.IntVar(&o.Officers, "officers", 8, "scripted officers, spread over the eight ward units of examples/org.yaml")
	fs.Float64Var(&o.Rate, "rate", 0, "open loop: offered load in updates/s (citizens start flows at this pace whatever completes); 0 = closed loop")
	fs.BoolVar(&o.Poisson, "poisson", true, "open loop: Poisson arrivals (false: fixed intervals)")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long new flows are started")
	fs.BoolVar(&o.Limits, "limits", false, "Telegram flood limits at the fake Bot API (30 msg/s, 1 msg/s per chat)")
	fs.DurationVar(&o.RTT, "rtt", 0, "round-trip time added to every Bot API call")
	fs.StringVar(&o.Mode, "mode", "", "how the bot gets updates: polling or webhook (default polling, webhook with -fault replica-kill)")
	fs.IntVar(&o.Replicas, "replicas", 1, "bot processes: polling ones elect one poller, the others standing by; webhook ones share the updates behind the bench's distributor")
	fs.StringVar(&o.Fault, "fault", FaultNone, "fault to inject: "+strings.Join(faultModes, ", "))
	fs.IntVar(&o.Kills, "kills", 5, "-fault kill: how many times the bot is killed and restarted")
	fs.IntVar(&o.Workers, "workers", 4, "the bot's WORKERS")
	fs.IntVar(&o.Hold, "hold", 0, "memory mode: this many citizens each stop a petition mid-way (after choosing its kind), -citizens at a time or arriving at -rate updates/s; then the bot's RSS is read")
	fs.Float64Var(&o.FloodRate, "flood-rate", 300, "-fault flood: messages a second from the flooding account")
	fs.IntVar(&o.ChatBacklog, "chat-backlog", -1, "the bot's CHAT_BACKLOG, updates of one chat that may wait before the next are shed (0: no limit; -1: the bot's default)")
	fs.IntVar(&o.ChatRate, "chat-rate", 0, "the bot's CHAT_RATE, updates a minute one chat may send before the next are shed (0, the default here: no limit, since the scripted people answer at a machine's speed; -1: the bot's default)")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "PostgreSQL to use, with fsync and synchronous_commit on (its schema is migrated and examples/org.yaml imported); default: a private durable server in a temp dir")
	fs.IntVar(&o.BaselineConns, "baseline-conns", 0, "connections of the insert baseline, run after the load (default: the most the bot had busy at once in the run)")
	fs.DurationVar(&o.BaselineDuration, "baseline-duration", 5*time.Second, "how long the insert baseline runs")
	fs.DurationVar(&o.StepTimeout, "step-timeout", 60*time.Second, "how long a scripted person waits for the bot's reply before counting it lost")
	fs.DurationVar(&o.Drain, "drain", 30*time.Second, "after the run, how long the outbox may take to empty")
	fs.DurationVar(&o.JobsCheck, "jobs-check", 0, "-fault replica-kill: after the load, run the reminders job every minute this long (at least 90 s after the strike), kill the replica running it mid-run, and check each slot was done once (e.g. 2m)")
	fs.StringVar(&o.Sweep, "sweep", "", "comma-separated offered loads (updates/s): one open-loop run each, with a chart")
	fs.StringVar(&o.Chart, "chart", "bench-sweep.png", "-sweep: where the PNG chart is written")
	fs.BoolVar(&o.JSONOnly, "json-only", false, "no progress on stderr")
	fs.BoolVar(&o.Smoke, "smoke", false, "a tiny run for CI (under a minute)")
	fs.StringVar(&o.Binary, "binary", "", "use this danvan binary instead of building ./cmd/danvan")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed (arrivals, faults)")
	return o
}

// Normalize applies -smoke and the defaults that depend on other options,
// and checks the combination.
func (o *Options) Normalize() error {
	if o.Smoke {
		o.Citizens, o.Officers = min(o.Citizens, 4), min(o.Officers, 2)
		o.Duration = min(o.Duration, 6*time.Second)
		o.BaselineDuration = min(o.BaselineDuration, time.Second)
		o.Drain = min(o.Drain, 15*time.Second)
		o.Kills = min(o.Kills, 2)
	}
	if o.Mode == "" {
		o.Mode = "polling"
		if o.Fault == FaultReplicaKill {
			o.Mode = "webhook"
		}
	}
	if o.Fault == FaultReplicaKill {
		o.Replicas = max(o.Replicas, 3)
	}
	var errs []error
	if !slices.Contains(faultModes, o.Fault) {
		errs = append(errs, fmt.Errorf("-fault %q is not one of %s", o.Fault, strings.Join(faultModes, ", ")))
	}
	if o.Mode != "polling" && o.Mode != "webhook" {
		errs = append(errs, fmt.Errorf("-mode %q is not polling or webhook", o.Mode))
	}
	if o.ChatRate < -1 {
		errs = append(errs, errors.New("-chat-rate must be -1 (the bot's default) or more"))
	}
	if o.Citizens < 1 || o.Replicas < 1 || o.Officers < 1 || o.Workers < 1 || o.BaselineConns < 0 {
		errs = append(errs, errors.New("-citizens, -replicas, -officers and -workers must be positive, -baseline-conns not negative"))
	}
	if o.Hold < 0 || (o.Hold > 0 && (o.Fault != FaultNone || o.Sweep != "")) {
		errs = append(errs, errors.New("-hold must not be negative and goes with neither -fault nor -sweep"))
	}
	if o.Fault == FaultFlood && o.FloodRate <= 0 {
		errs = append(errs, errors.New("-flood-rate must be positive"))
	}
	if o.Rate < 0 || o.Duration <= 0 {
		errs = append(errs, errors.New("-rate must not be negative and -duration must be positive"))
	}
	if _, err := o.SweepRates(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SweepRates parses -sweep.
func (o *Options) SweepRates() ([]float64, error) {
	var rates []float64
	for f := range strings.SplitSeq(o.Sweep, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-sweep: %q is not a positive rate", f)
		}
		rates = append(rates, r)
	}
	return rates, nil
}
