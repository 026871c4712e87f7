package bench

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// -fault api makes 10% of calls fail, a third of them each way: the
// fake draws its faults one after another, each from the calls the
// earlier ones spared.
func TestAPIFaultsFailTenPercentOfCalls(t *testing.T) {
	spared, shares := 1.0, []float64{}
	for _, f := range apiFaults() {
		shares = append(shares, spared*f.Probability)
		spared *= 1 - f.Probability
	}
	if failed := 1 - spared; math.Abs(failed-0.10) > 1e-9 {
		t.Errorf("%.4f of calls fail, want 0.10", failed)
	}
	for i, s := range shares {
		if math.Abs(s-0.10/3) > 1e-9 {
			t.Errorf("fault %d strikes %.4f of calls, want a third of 10%%", i, s)
		}
	}
}

// -fault kill must kill a running bot -kills times: a kill of a bot that
// had already died (its restart failed) or one the run ended before is
// no kill, and the run fails.
func TestKillFaultReportsKillsThatDidNotHappen(t *testing.T) {
	ok := &faultReport{Mode: FaultKill, Planned: 5, Kills: 5, Restarted: 5, Injected: []faultEvent{{What: "kill"}}}
	if why := ok.failure(); why != "" {
		t.Fatalf("five kills fail: %s", why)
	}
	for _, r := range []*faultReport{
		{Mode: FaultKill, Planned: 5, Kills: 3, Restarted: 3},
		{Mode: FaultKill, Planned: 5, Kills: 5, Restarted: 4, Injected: []faultEvent{{What: "kill", Error: "bot replica 0 not ready within 1m0s"}}},
		{Mode: FaultPGRestart, Injected: []faultEvent{{What: "pgrestart", Error: "pg_ctl: could not start server"}}},
	} {
		if why := (Result{Faults: r}).Failure(); !strings.Contains(why, "fault not injected as claimed") {
			t.Errorf("%+v: Failure() = %q", r, why)
		}
	}
}

// -fault replica-kill must kill the replica that holds the sender role
// (one at a time delivers the outbox; the others stand by to take over),
// or the take-over it is meant to exercise never happens: it once killed
// replica 1 while replica 0, started first, was sending. After the kill a
// survivor must deliver.
func TestReplicaKillStrikesTheSender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db, bin, env := liveSetup(t, ctx)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	opts.Fault, opts.Duration, opts.StepTimeout = FaultReplicaKill, 2*time.Second, 30*time.Second
	if err := opts.Normalize(); err != nil {
		t.Fatal(err)
	}
	st, err := startStage(ctx, opts, bin, env, db, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	if _, err := joinOfficers(ctx, st.api, st.r, st.m, db, opts, func(err error) { t.Log(err) }); err != nil {
		t.Fatal(err)
	}
	sent := func() map[int]float64 {
		out := map[int]float64{}
		for _, r := range st.f.live() {
			n, err := scrapeMetric("http://"+r.addr+"/metrics", "danvan_telegram_sent_total")
			if err != nil {
				t.Fatal(err)
			}
			out[r.index] = n
		}
		return out
	}
	before := sent()
	in := &injector{opts: opts, api: st.api, fleet: st.f, db: db, logger: logger}
	in.run(ctx)
	report := in.result()
	if why := report.failure(); why != "" {
		t.Fatal(why)
	}
	killed := -1
	for i := range opts.Replicas {
		if !st.f.replica(i).alive() {
			killed = i
		}
	}
	t.Logf("sent before the kill, by replica: %v; killed replica %d: %+v", before, killed, report.Injected)
	if killed < 0 || before[killed] == 0 {
		t.Fatalf("killed replica %d, which had sent nothing: not the sender", killed)
	}
	p := newPerson(st.api, st.r, st.m, citizenBaseID, "Dân 0", opts.StepTimeout)
	if _, err := p.says("/start", "cần hỗ trợ việc gì"); err != nil {
		t.Fatalf("no reply after the sender was killed: %v", err)
	}
	// The counter goes up once the call has returned: after the reply.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		after := sent()
		if len(after) == opts.Replicas-1 && after[(killed+1)%3]+after[(killed+2)%3] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sent after the kill, by live replica: %v", after)
		}
	}
}

// -fault pgcrash stops PostgreSQL as a crash does (no shutdown
// checkpoint): the restarted server runs crash recovery, which a graceful
// -fault pgrestart never needs, and keeps what was committed durably.
func TestPGCrashNeedsRecoveryAndKeepsDurableCommits(t *testing.T) {
	ctx, db := testDatabase(t)
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	recoveries := func() int {
		log, err := os.ReadFile(filepath.Join(db.serverDir(), "server.log"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(log), "automatic recovery in progress")
	}
	for _, crash := range []bool{false, true} {
		before := recoveries()
		if err := db.restart(ctx, 0, crash); err != nil {
			t.Fatal(err)
		}
		if err := db.waitReachable(ctx, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := recoveries() - before; (got > 0) != crash {
			t.Errorf("crash %v: %d crash recoveries at the restart", crash, got)
		}
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT n FROM kept`).Scan(&n); err != nil || n != 1 {
			t.Errorf("crash %v: the committed row: %d, %v", crash, n, err)
		}
	}
}

// Polling replicas elect one poller and the others stand by: a run with
// -fault replica-kill in polling mode kills the replica that polls, and
// another takes over (within about a second, a standby's try for the
// role) with nothing lost or handled twice. Only the killed replica and
// its successor ever polled, and never two at once (no 409 Conflict).
func TestPollingReplicaKillHandsPollingOver(t *testing.T) {
	opts := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	opts.Smoke, opts.Mode, opts.Fault = true, "polling", FaultReplicaKill
	opts.Duration, opts.StepTimeout = 5*time.Second, 30*time.Second
	res := runLive(t, opts)
	if why := res.Failure(); why != "" {
		t.Fatal(why)
	}
	f := res.Faults
	t.Logf("%s: %+v; getUpdates by replica %v, 409s %d", res.Mode, f, res.GetUpdatesByReplica, res.Status409)
	if !strings.HasSuffix(res.Mode, "polling") || res.Flags["replicas"] != 3 {
		t.Fatalf("ran %s with %v replicas, want three polling", res.Mode, res.Flags["replicas"])
	}
	if f == nil || f.PollerTakeoverS <= 0 || f.PollerTakeoverS > 5 || len(f.Injected) != 2 || !strings.Contains(f.Injected[0].What, "the poller") {
		t.Fatalf("the poller's kill and takeover: %+v", f)
	}
	if len(res.GetUpdatesByReplica) != 2 || res.Status409 != 0 {
		t.Fatalf("getUpdates answered by replica %v, %d ended by a conflict; want two pollers, one after the other", res.GetUpdatesByReplica, res.Status409)
	}
	if res.LostMessages != 0 || res.DuplicateTickets != 0 || res.TicketsExpected == 0 || res.Flows == 0 {
		t.Fatalf("lost %d, duplicates %d, %d tickets of %d flows", res.LostMessages, res.DuplicateTickets, res.TicketsExpected, res.Flows)
	}
}

// -fault flood: one account floods the bot while the scripted people file
// petitions. With a low CHAT_BACKLOG most of the flood is shed, the
// account told once, and every message is accounted for; the people lose
// nothing.
func TestFloodIsShedAndToldOnce(t *testing.T) {
	opts := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	opts.Smoke, opts.Fault, opts.ChatBacklog, opts.FloodRate = true, FaultFlood, 5, 200
	opts.Duration, opts.StepTimeout = 5*time.Second, 20*time.Second
	res := runLive(t, opts)
	if why := res.Failure(); why != "" {
		t.Fatal(why)
	}
	f := res.Faults.Flood
	if f == nil || f.Sent < 100 || f.Shed == 0 || f.Handled+f.Shed+f.Waiting != f.Sent || f.Notices != 1 {
		t.Fatalf("flood outcome %+v: want at least 100 sent, some shed, all accounted for, one notice", f)
	}
	if res.LostMessages != 0 || res.TicketsStored != res.TicketsExpected || res.PressesWithoutReply != 0 {
		t.Fatalf("the people lost %d messages, %d presses unanswered, %d of %d tickets stored",
			res.LostMessages, res.PressesWithoutReply, res.TicketsStored, res.TicketsExpected)
	}
}

// With CHAT_RATE and no CHAT_BACKLOG, the flooding account has a minute's
// worth of its messages handled and the rest shed as they come; the
// people, arriving at a person's pace, are not held back.
func TestFloodOverTheRateIsShed(t *testing.T) {
	opts := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	opts.Smoke, opts.Fault, opts.ChatBacklog, opts.ChatRate, opts.FloodRate = true, FaultFlood, 0, 120, 200
	opts.Rate, opts.Duration, opts.StepTimeout = 20, 5*time.Second, 20*time.Second
	res := runLive(t, opts)
	if why := res.Failure(); why != "" {
		t.Fatal(why)
	}
	// 120 at once, then 2 a second over the flood's 3 s.
	f := res.Faults.Flood
	if f == nil || f.Sent < 300 || f.Handled > 126 || f.Handled+f.Shed+f.Waiting != f.Sent || f.Notices != 1 {
		t.Fatalf("flood outcome %+v: want at least 300 sent, at most 126 handled, all accounted for, one notice", f)
	}
	if res.LostMessages != 0 || res.TicketsStored != res.TicketsExpected || res.PressesWithoutReply != 0 {
		t.Fatalf("the people lost %d messages, %d presses unanswered, %d of %d tickets stored",
			res.LostMessages, res.PressesWithoutReply, res.TicketsStored, res.TicketsExpected)
	}
}

// A flood message neither handled, shed nor waiting was lost: the run
// fails.
func TestAFloodMessageUnaccountedForFailsTheRun(t *testing.T) {
	r := &faultReport{Mode: FaultFlood, Flood: &floodOutcome{Sent: 10, Handled: 4, Shed: 5}}
	if why := (Result{Faults: r}).Failure(); !strings.Contains(why, "10 messages sent, 4 handled, 5 shed and 0 waiting") {
		t.Fatalf("Failure() = %q", why)
	}
	r.Flood.Waiting = 1
	if why := r.failure(); why != "" {
		t.Fatalf("every message accounted for, yet %q", why)
	}
}
