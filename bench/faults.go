package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// faultEvent is one injected fault, at a time relative to the load's start.
type faultEvent struct {
	AtS   float64 `json:"at_s"`
	What  string  `json:"what"`
	TookS float64 `json:"took_s,omitempty"` // how long recovery (restart) took
	Error string  `json:"error,omitempty"`
}

// faultReport is the "faults" object of the result.
type faultReport struct {
	Mode     string       `json:"mode"`
	Injected []faultEvent `json:"injected"`
	// Kills (-fault kill) counts the SIGKILLs that struck a running bot,
	// of Planned (-kills); Restarted those after which it came back.
	Kills     int `json:"kills,omitempty"`
	Restarted int `json:"restarted,omitempty"`
	Planned   int `json:"planned,omitempty"`
	// Webhook distributor counters (replica-kill).
	Forwarded   int64 `json:"forwarded,omitempty"`
	Failovers   int64 `json:"failovers,omitempty"`
	Unavailable int64 `json:"unavailable,omitempty"`
	// PollerTakeoverS (replica-kill in polling mode) is how long intake
	// stopped: from the poller's kill to the first getUpdates call
	// another replica made that the fake answered (timed at the call).
	PollerTakeoverS float64 `json:"poller_takeover_s,omitempty"`
	// Flood (-fault flood) is what became of the flooding account's
	// messages.
	Flood *floodOutcome `json:"flood,omitempty"`
}

// sendMethods are the Bot API methods that post or change a message.
var sendMethods = []string{"sendMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
	"sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}

// injector injects the -fault mode during the load.
type injector struct {
	opts   *Options
	api    *tg.Server
	fleet  *fleet
	tap    *pollTap
	db     *database
	extra  []string // environment of restarted replicas
	logger *slog.Logger

	mu     sync.Mutex
	start  time.Time
	rng    *rand.Rand // -seed: when kills and crashes strike
	report faultReport
	undo   []func()
	// flooded counts the messages -fault flood sent.
	flooded atomic.Int64
}

func (in *injector) record(e faultEvent) {
	e.AtS = time.Since(in.start).Seconds()
	in.mu.Lock()
	in.report.Injected = append(in.report.Injected, e)
	in.mu.Unlock()
	in.logger.Info("fault", "what", e.What, "at_s", fmt.Sprintf("%.1f", e.AtS), "took_s", e.TookS, "error", e.Error)
}

// at sleeps until a fraction of the load's duration has passed.
func (in *injector) at(ctx context.Context, fraction float64) bool {
	t := time.NewTimer(time.Until(in.start.Add(time.Duration(fraction * float64(in.opts.Duration)))))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// within sleeps until a time drawn (from -seed) between two fractions of
// the load's duration, so that a kill or crash strikes the bot wherever
// it is in its work rather than at a fixed point of the run.
func (in *injector) within(ctx context.Context, from, to float64) bool {
	return in.at(ctx, from+in.rng.Float64()*(to-from))
}

// run injects the faults until ctx ends (the load's duration).
func (in *injector) run(ctx context.Context) {
	in.start = time.Now()
	in.rng = rand.New(rand.NewPCG(in.opts.Seed, 13))
	in.report.Mode = in.opts.Fault
	switch in.opts.Fault {
	case FaultKill:
		in.mu.Lock()
		in.report.Planned = in.opts.Kills
		in.mu.Unlock()
		// One kill in each of -kills equal windows of the middle 80%.
		span := 0.8 / float64(in.opts.Kills)
		for i := range in.opts.Kills {
			if !in.within(ctx, 0.1+float64(i)*span, 0.1+float64(i+1)*span) {
				return
			}
			in.killAndRestart(ctx, 0)
		}
	case FaultAPI:
		for _, f := range apiFaults() {
			in.inject(f)
		}
		in.record(faultEvent{What: "api: 10% of calls fail (a third each: HTTP 500, connection reset, 12 s delay) until the load ends"})
	case FaultStorm:
		if !in.at(ctx, 0.3) {
			return
		}
		for _, m := range sendMethods {
			in.inject(tg.Fault{Method: m, Kind: tg.FaultFlood, RetryAfter: 3})
		}
		storm := min(10*time.Second, in.opts.Duration/3)
		in.record(faultEvent{What: fmt.Sprintf("storm: every send answered 429 retry_after=3 for %s", storm)})
		select {
		case <-time.After(storm):
		case <-ctx.Done():
		}
		in.clear()
		in.record(faultEvent{What: "storm over"})
	case FaultPGRestart:
		if !in.at(ctx, 0.5) {
			return
		}
		in.restartDatabase(ctx, false, "pgrestart: PostgreSQL stopped (fast: pending WAL flushed), down 3 s, started again")
	case FaultPGCrash:
		if !in.within(ctx, 0.3, 0.7) {
			return
		}
		in.restartDatabase(ctx, true, "pgcrash: PostgreSQL stopped as in a crash (immediate: the WAL not yet flushed lost), down 3 s, started again with crash recovery")
	case FaultFlood:
		in.flood(ctx)
	case FaultReplicaKill:
		if !in.within(ctx, 0.3, 0.7) {
			return
		}
		if in.opts.Mode == "polling" {
			in.killPoller(ctx)
		} else {
			in.killSender()
		}
	}
}

func (in *injector) restartDatabase(ctx context.Context, crash bool, what string) {
	begin := time.Now()
	err := in.db.restart(context.WithoutCancel(ctx), 3*time.Second, crash)
	in.record(faultEvent{What: what, TookS: time.Since(begin).Seconds(), Error: errText(err)})
}

// killSender kills the replica that holds the sender role (run draws the
// time in the middle of the load, when sends are in flight). (With
// -jobs-check, checkJobs then kills the replica running a job, mid-run.)
func (in *injector) killSender() {
	r, err := in.fleet.sender()
	if err != nil {
		in.record(faultEvent{What: "replica-kill: the sending replica not found", Error: err.Error()})
		return
	}
	in.fleet.kill(r)
	in.record(faultEvent{What: fmt.Sprintf("replica-kill: SIGKILL replica %d (pid %d), the sender, of %d, not restarted",
		r.index, r.cmd.Process.Pid, in.opts.Replicas)})
}

// takeoverWait bounds the wait for another replica to poll after the
// poller's kill; a standby tries for the role every second.
const takeoverWait = 30 * time.Second

// killPoller kills the replica that polls, and waits for another to poll.
// The pollTap names it: the replica whose getUpdates the fake answered
// last, which is what Telegram sees. (The
// role's advisory lock in pg_locks would name it too, but only through
// storage's private lock key.) Intake stops until another replica's
// getUpdates is answered; updates wait at the fake meanwhile (at least
// the killed poller's last batch, never confirmed), so its first call is
// answered at once.
func (in *injector) killPoller(ctx context.Context) {
	i := in.tap.poller()
	if i < 0 || !in.fleet.replica(i).alive() {
		in.record(faultEvent{What: "replica-kill: the polling replica not found", Error: fmt.Sprintf("getUpdates last answered for replica %d, not running", i)})
		return
	}
	r := in.fleet.replica(i)
	role := "the poller"
	if s, err := in.fleet.sender(); err == nil && s == r {
		role = "the poller and the sender"
	}
	killed := time.Now()
	in.fleet.kill(r)
	in.record(faultEvent{What: fmt.Sprintf("replica-kill: SIGKILL replica %d (pid %d), %s, of %d, not restarted",
		i, r.cmd.Process.Pid, role, in.opts.Replicas)})
	wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), takeoverWait)
	defer cancel()
	turn, err := in.tap.takeover(wait, killed, i)
	if err != nil {
		in.record(faultEvent{What: "replica-kill: no other replica took over polling", Error: err.Error()})
		return
	}
	took := turn.at.Sub(killed).Seconds()
	in.mu.Lock()
	in.report.PollerTakeoverS = took
	in.mu.Unlock()
	in.record(faultEvent{What: fmt.Sprintf("replica-kill: replica %d polls", turn.replica), TookS: took})
}

// apiFailShare is the share of Bot API calls -fault api makes fail.
const apiFailShare = 0.10

// apiFaults are the faults of -fault api: of all calls, a third of
// apiFailShare each answered HTTP 500, reset and delayed 12 s (beyond the
// bot's 10 s delivery timeout). The fake tries its faults in order and
// the first that strikes ends the draw, so each is given its share of
// the calls the ones before it spared.
func apiFaults() []tg.Fault {
	third := apiFailShare / 3
	return []tg.Fault{
		{Kind: tg.FaultError, Status: 500, Description: "Internal Server Error", Probability: third},
		{Kind: tg.FaultReset, Probability: third / (1 - third)},
		{Kind: tg.FaultDelay, Delay: 12 * time.Second, Probability: third / (1 - 2*third)},
	}
}

func (in *injector) killAndRestart(ctx context.Context, i int) {
	r := in.fleet.replica(i)
	running := r.alive()
	in.fleet.kill(r)
	begin := time.Now()
	_, err := in.fleet.start(context.WithoutCancel(ctx), i, in.extra...)
	e := faultEvent{What: fmt.Sprintf("kill: SIGKILL bot pid %d, restarted", r.cmd.Process.Pid), TookS: time.Since(begin).Seconds(), Error: errText(err)}
	if !running {
		e.What = fmt.Sprintf("kill: bot pid %d was not running (%v), started again", r.cmd.Process.Pid, r.err)
	}
	in.mu.Lock()
	if running {
		in.report.Kills++
	}
	if err == nil {
		in.report.Restarted++
	}
	in.mu.Unlock()
	in.record(e)
}

// failure is why the fault was not injected as claimed, "" if it was:
// fewer kills that struck a running bot, or restarts, than -kills, or an
// injection (a restart of the bot or of PostgreSQL) that failed.
func (r *faultReport) failure() string {
	if r == nil {
		return ""
	}
	var why []string
	if r.Mode == FaultKill && (r.Kills < r.Planned || r.Restarted < r.Planned) {
		why = append(why, fmt.Sprintf("%d of %d kills struck a running bot, %d restarted", r.Kills, r.Planned, r.Restarted))
	}
	if f := r.Flood; f != nil && (f.Sent == 0 || f.Handled+f.Shed+f.Waiting != f.Sent) {
		why = append(why, fmt.Sprintf("flood: %d messages sent, %d handled, %d shed and %d waiting", f.Sent, f.Handled, f.Shed, f.Waiting))
	}
	for _, e := range r.Injected {
		if e.Error != "" {
			why = append(why, fmt.Sprintf("%s: %s", e.What, e.Error))
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "fault not injected as claimed: " + strings.Join(why, "; ")
}

func (in *injector) inject(f tg.Fault) {
	in.mu.Lock()
	in.undo = append(in.undo, in.api.InjectFault(f))
	in.mu.Unlock()
}

// clear removes the faults this injector added.
func (in *injector) clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, undo := range in.undo {
		undo()
	}
	in.undo = nil
}

func (in *injector) result() faultReport {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.report
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
