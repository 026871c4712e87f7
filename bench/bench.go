package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

const webhookSecret = "danvan-bench-secret"

// Run runs one benchmark (or, with -sweep, one per offered load) and
// returns its result.
func Run(ctx context.Context, opts Options, logger *slog.Logger) (Result, error) {
	if err := opts.Normalize(); err != nil {
		return Result{}, err
	}
	root, err := ModuleRoot()
	if err != nil {
		return Result{}, err
	}
	tmp, err := os.MkdirTemp("", "danvan-bench-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	bin := opts.Binary
	if bin == "" {
		logger.Info("building the bot", "package", "./cmd/danvan")
		if bin, err = BuildBinary(ctx, root, tmp); err != nil {
			return Result{}, err
		}
	}
	db, err := openDatabase(ctx, opts.DatabaseURL, logger)
	if err != nil {
		return Result{}, err
	}
	defer db.close()
	env := append(os.Environ(), "DATABASE_URL="+db.dsn, "DANVAN_DATA_DIR="+filepath.Join(tmp, "data"))
	setup := newFleet(bin, env, logger)
	if _, err := setup.run(ctx, "migrate"); err != nil {
		return Result{}, err
	}
	if _, err := setup.run(ctx, "admin", "import", filepath.Join(root, "examples", "org.yaml")); err != nil {
		return Result{}, err
	}
	logger.Info("database ready", "private", db.server != nil)

	res, err := runMode(ctx, opts, bin, env, db, logger)
	if err != nil && res.Mode == "" || ctx.Err() != nil {
		return res, err
	}
	// The baseline runs after the load, with as many connections as the
	// bot kept busy at once, and with the bot stopped.
	conns, from := baselineConns(&opts, res.BotConnectionsBusyMax)
	baseline, berr := measureBaseline(ctx, db, conns, opts.BaselineDuration, logger)
	if berr != nil {
		return res, errors.Join(err, berr)
	}
	baseline.from = from
	res.finish(baseline)
	for i := range res.Sweep {
		res.Sweep[i].finish(baseline)
	}
	if len(res.Sweep) > 0 && opts.Chart != "" {
		if cerr := writeSweepChart(opts.Chart, res.Sweep, baseline.tps); cerr != nil {
			return res, errors.Join(err, cerr)
		}
		res.Chart = opts.Chart
	}
	return res, err
}

// runMode runs the load of the options' mode: -hold, -sweep or one run.
func runMode(ctx context.Context, opts Options, bin string, env []string, db *database, logger *slog.Logger) (Result, error) {
	if opts.Hold > 0 {
		return runHold(ctx, opts, bin, env, db, logger)
	}
	rates, _ := opts.SweepRates()
	if len(rates) == 0 {
		return runOnce(ctx, opts, bin, env, db, logger)
	}
	return sweep(ctx, opts, rates, func(o Options) (Result, error) {
		return runOnce(ctx, o, bin, env, db, logger)
	})
}

// baselineConns is how many connections the insert baseline uses, and
// why: -baseline-conns if given, else the most the bot had busy at once
// in the run, else (when the bench could not read them) -workers ×
// -replicas.
func baselineConns(opts *Options, busyMax int64) (int, string) {
	switch {
	case opts.BaselineConns > 0:
		return opts.BaselineConns, "-baseline-conns"
	case busyMax > 0:
		return int(busyMax), "bot_connections_busy_max"
	default:
		return opts.Workers * opts.Replicas, "-workers × -replicas (the bot's connections could not be read)"
	}
}

// measureBaseline runs the insert baseline with conns connections and
// reads its CPU and WAL.
func measureBaseline(ctx context.Context, db *database, conns int, d time.Duration, logger *slog.Logger) (baselineFigures, error) {
	clock := cpuClock{pgDir: db.serverDir()}
	cpu0 := clock.now()
	wal0, walErr := db.walCounters(ctx)
	began := time.Now()
	tps, inserts, err := baselineInsertTPS(ctx, db, conns, d)
	if err != nil {
		return baselineFigures{}, err
	}
	b := baselineFigures{tps: tps, conns: conns, cpuMsPerInsert: baselineCPUPerInsert(cpu0, clock.now(), inserts),
		wal: db.walSince(ctx, wal0, walErr, time.Since(began), inserts)}
	logger.Info("baseline", "insert_tps", fmt.Sprintf("%.0f", tps), "conns", conns,
		"cpu_ms_per_insert", fmt.Sprintf("%.3f", b.cpuMsPerInsert))
	return b, nil
}

// baselineFigures is what the insert baseline measured.
type baselineFigures struct {
	tps            float64
	conns          int
	from           string  // where conns came from
	cpuMsPerInsert float64 // 0 when unknown (not the private server)
	wal            walWork // zero when unknown (before PostgreSQL 14)
}

// finish fills in the figures that compare with the baseline.
func (r *Result) finish(b baselineFigures) {
	r.BaselineInsertTPS, r.BaselineCPUMsPerInsert = b.tps, b.cpuMsPerInsert
	r.BaselineConnections, r.BaselineConnectionsFrom = b.conns, b.from
	r.BaselineWALSyncsPerS, r.BaselineWALBytesPerInsert = b.wal.syncsPerS, b.wal.bytesPerUnit
	if b.tps > 0 {
		r.RatioVsBaseline = r.UpdatesPerS / b.tps
	}
}

// stage is a fake Bot API with the bot processes talking to it.
type stage struct {
	api   *tg.Server
	m     *meter
	r     *router
	f     *fleet
	dist  *distributor
	tap   *pollTap
	conns *connPeak
	stop  []func() // in reverse order
}

// serve serves h on a loopback port until the stage closes, and returns
// its base URL.
func (s *stage) serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	s.stop = append(s.stop, func() { hs.Close() })
	return "http://" + l.Addr().String(), nil
}

func (s *stage) close() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
}

// botEnv is the environment of the bot processes beyond the database's.
// Without -limits the fake enforces none of Telegram's flood limits, so
// the bot's own pacing (SEND_RATE, CHAT_SEND_RATE) is lifted as well, as
// for a Bot API server without them.
func botEnv(opts *Options, api *tg.Server) []string {
	env := []string{"TELEGRAM_BOT_TOKEN=" + api.Token(), "TELEGRAM_API_URL=" + api.URL,
		"TELEGRAM_MODE=" + opts.Mode, "LOG_LEVEL=warn", fmt.Sprintf("WORKERS=%d", opts.Workers)}
	if !opts.Limits {
		env = append(env, "SEND_RATE="+liftedSendRate, "CHAT_SEND_RATE="+liftedSendRate)
	}
	if opts.ChatBacklog >= 0 {
		env = append(env, fmt.Sprintf("CHAT_BACKLOG=%d", opts.ChatBacklog))
	}
	if opts.ChatRate >= 0 {
		env = append(env, fmt.Sprintf("CHAT_RATE=%d", opts.ChatRate))
	}
	return env
}

// liftedSendRate is SEND_RATE and CHAT_SEND_RATE without -limits.
const liftedSendRate = "1000000"

// startStage starts the fake Bot API (behind the pollTap) and the -replicas
// bot processes (with the webhook distributor in webhook mode) and samples
// their memory.
func startStage(ctx context.Context, opts *Options, bin string, env []string, db *database, logger *slog.Logger, extra []string) (*stage, error) {
	s := &stage{m: &meter{}}
	s.r = &router{m: s.m}
	firstUpdate, err := db.nextUpdateID(ctx)
	if err != nil {
		return nil, err
	}
	s.api = tg.New(tg.Config{
		FirstUpdateID: firstUpdate,
		Flood:         tg.FloodConfig{Enabled: opts.Limits},
		Webhook:       tg.WebhookConfig{Timeout: 15 * time.Second, RetryMax: time.Second},
		OnBotActivity: s.r.hook,
		// As on Telegram, the bot can only write to chats that wrote to it.
		RequireKnownChat: true,
	})
	s.tap = newPollTap(s.api)
	apiURL, err := s.serve(s.tap)
	if err != nil {
		return nil, err
	}
	s.api.URL = apiURL
	s.stop = append(s.stop, func() { s.api.Close() })
	if opts.RTT > 0 {
		s.api.InjectFault(tg.Fault{Kind: tg.FaultDelay, Delay: opts.RTT})
	}
	s.f = newFleet(bin, append(env, botEnv(opts, s.api)...), logger)
	s.f.tagCalls = true
	if opts.Mode == "webhook" {
		s.dist = newDistributor(s.f)
		distURL, err := s.serve(s.dist)
		if err != nil {
			s.close()
			return nil, err
		}
		s.f.env = append(s.f.env, "TELEGRAM_WEBHOOK_URL="+distURL+"/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET="+webhookSecret)
	}
	s.stop = append(s.stop, func() { s.f.stopAll(30 * time.Second) })
	for i := range opts.Replicas {
		if _, err := s.f.start(ctx, i, extra...); err != nil {
			s.close()
			return nil, err
		}
	}
	sampleCtx, stopSampling := context.WithCancel(ctx)
	s.stop = append(s.stop, stopSampling)
	go s.f.sampleEvery(sampleCtx, time.Second)
	s.conns = &connPeak{}
	go every(sampleCtx, connSampleEvery, func() { s.conns.sample(sampleCtx, db) })
	return s, nil
}

// runOnce starts the fake Bot API and the bot processes, plays the load
// with the fault, drains and verifies.
func runOnce(ctx context.Context, opts Options, bin string, env []string, db *database, logger *slog.Logger) (Result, error) {
	var extra []string
	if opts.JobsCheck > 0 {
		extra = append(extra, "REMINDER_CRON=* * * * *")
	}
	var rec *jobRecorder
	if opts.JobsCheck > 0 {
		var err error
		if rec, err = installJobRecorder(ctx, db); err != nil {
			return Result{}, err
		}
		defer rec.remove(context.WithoutCancel(ctx))
	}
	st, err := startStage(ctx, &opts, bin, env, db, logger, extra)
	if err != nil {
		return Result{}, err
	}
	defer st.close()
	up := time.Now() // every replica running
	api, r, m, f, dist := st.api, st.r, st.m, st.f, st.dist

	officers, err := joinOfficers(ctx, api, r, m, db, &opts, func(err error) { logger.Warn("officer step failed", "error", err) })
	if err != nil {
		return Result{}, err
	}
	logger.Info("officers joined", "officers", len(officers), "replicas", opts.Replicas, "mode", opts.Mode)

	// The measured phase.
	m.reset()
	sampled0 := db.sampled.Load()
	commits0, err := db.xactCommits(ctx)
	if err != nil {
		return Result{}, err
	}
	officerCtx, stopOfficers := context.WithCancel(ctx)
	var owg sync.WaitGroup
	for _, o := range officers {
		owg.Go(func() { o.run(officerCtx) })
	}
	in := &injector{opts: &opts, api: api, fleet: f, tap: st.tap, db: db, extra: extra, logger: logger}
	faultCtx, stopFaults := context.WithTimeout(ctx, opts.Duration)
	var fwg sync.WaitGroup
	fwg.Go(func() { in.run(faultCtx) })
	progressCtx, stopProgress := context.WithCancel(ctx)
	go progress(progressCtx, m, logger)
	backlogCtx, stopBacklog := context.WithCancel(ctx)
	defer stopBacklog()
	backlog := sampleBacklog(backlogCtx, db, m, time.Second)

	l := newLoad(api, r, m, &opts, logger)
	clock := cpuClock{pgDir: db.serverDir(), bots: f.pids}
	cpu0 := clock.now()
	wal0, walErr := db.walCounters(ctx)
	start := time.Now()
	// Throughput is counted over the arrival window; the flows still
	// running at its end finish afterwards (counted in the overall figure).
	var window struct {
		replied, outbound, messages, commits int64
		wal                                  walWork
		cpu                                  *cpuReport
	}
	windowDone := make(chan struct{})
	go func() {
		defer close(windowDone)
		select {
		case <-time.After(opts.Duration):
		case <-ctx.Done():
		}
		window.replied, window.outbound, window.messages = m.replied.Load(), m.outbound.Load(), m.messages.Load()
		window.cpu = newCPUReport(cpu0, clock.now(), time.Since(start), window.replied)
		if c, err := db.commitsSince(ctx, commits0, sampled0); err == nil {
			window.commits = c
		}
		window.wal = db.walSince(ctx, wal0, walErr, time.Since(start), window.replied)
	}()
	l.run(ctx, opts.Duration)
	elapsed := time.Since(start)
	<-windowDone
	stopFaults()
	fwg.Wait()
	in.clear()
	stopProgress()
	stopOfficers()
	owg.Wait()
	if err := db.waitReachable(ctx, 30*time.Second); err != nil {
		return Result{}, fmt.Errorf("database unreachable after the run: %w", err)
	}
	commitsOverall, err := db.commitsSince(ctx, commits0, sampled0)
	if err != nil {
		return Result{}, err
	}

	pending, failed, took := drain(ctx, db, opts.Drain)
	unreplied, unrepliedSteps := m.presses.missing() // by the end of the drain
	stopBacklog()
	logger.Info("drained", "pending", pending, "failed", failed, "took", took.Round(time.Millisecond))
	v, err := verify(ctx, db, l.tag, l.filed)
	if err != nil {
		return Result{}, err
	}
	v.OutboxPending, v.OutboxFailed, v.DrainSeconds = pending, failed, took.Seconds()
	if failed > 0 {
		v.OutboxFailedKinds, _ = db.failedByKind(ctx)
		v.failedAnswers, _ = sortFailedAnswers(ctx, db, api)
	}

	var jobs *jobsReport
	if opts.JobsCheck > 0 {
		staff := make([]int64, len(officers))
		for i, o := range officers {
			staff[i] = o.user.ID
		}
		jr, err := checkJobs(ctx, db, rec, up, f, api, staff, opts.JobsCheck, logger)
		if err != nil {
			return Result{}, err
		}
		jobs = &jr
	}
	f.sample()

	q := m.percentiles(0.5, 0.9, 0.99, 1)
	res := Result{
		Mode: loopMode(opts), Flags: flagsOf(&opts), DurationS: elapsed.Seconds(),
		Updates: m.updates.Load(), Replied: m.replied.Load(),
		UpdatesPerS:        float64(window.replied) / opts.Duration.Seconds(),
		UpdatesPerSOverall: float64(m.replied.Load()) / elapsed.Seconds(),
		P50Ms:              ms(q[0]), P90Ms: ms(q[1]), P99Ms: ms(q[2]), MaxMs: ms(q[3]),
		Steps: m.steps(), CallbackAnswers: m.callbackAnswers(), Flows: m.flows.Load(), Abandoned: m.abandoned.Load(),
		StepsFailed:         m.failed.Load(),
		verdict:             v,
		LostReplies:         m.lost.Load(),
		PressesWithoutReply: unreplied, PressesWithoutReplySteps: unrepliedSteps,
		RepeatedMessages:     m.repeated.Load(),
		LostMessages:         lostMessages(m.lost.Load(), pending, failed, v.failedAnswers),
		OutboundPerS:         float64(window.outbound) / opts.Duration.Seconds(),
		OutboundMessagesPerS: float64(window.messages) / opts.Duration.Seconds(),
		Status429:            len(api.FloodViolations()), RetryAfterViolations: retryAfterViolations(api),
		Status409:             st.tap.conflicts.Load(),
		GetUpdatesByReplica:   st.tap.answered(),
		DBCommitsPerS:         float64(window.commits) / opts.Duration.Seconds(),
		DBCommitsPerSOverall:  float64(commitsOverall) / elapsed.Seconds(),
		DBWALSyncsPerS:        window.wal.syncsPerS,
		DBWALBytesPerUpdate:   window.wal.bytesPerUnit,
		RSSMB:                 f.peakMB(),
		RSSTotalMB:            f.totalMB(),
		CPU:                   window.cpu,
		BotConnectionsBusyMax: st.conns.busy.Load(),
		BotConnectionsOpenMax: st.conns.open.Load(),
		Jobs:                  jobs,
	}
	lagP99, lagMax := m.arrivalLag()
	res.ArrivalLagP99Ms, res.ArrivalLagMaxMs = ms(lagP99), ms(lagMax)
	res.OutboundPerSSustained, res.OutboxBusyS = backlog.sustained()
	res.OutboundMessagesPerSSustained = backlog.sustainedMessages()
	res.InboxWaitingMax = backlog.inboxMax()
	if opts.Fault != FaultNone {
		fr := in.result()
		if dist != nil {
			fr.Forwarded, fr.Failovers, fr.Unavailable = dist.forwarded.Load(), dist.failovers.Load(), dist.unavailable.Load()
		}
		if opts.Fault == FaultFlood {
			if fr.Flood, err = in.floodOutcome(ctx); err != nil {
				return Result{}, err
			}
		}
		res.Faults = &fr
	}
	if pending < 0 {
		return res, errors.New("could not read the outbox after the run")
	}
	return res, nil
}

func loopMode(o Options) string {
	loop := "closed"
	if o.Rate > 0 {
		loop = "open"
	}
	return loop + "-loop " + o.Mode
}

// joinOfficers starts the officers: each redeems an invitation to one of
// the ward units through the fake, as a new officer does.
func joinOfficers(ctx context.Context, api *tg.Server, r *router, m *meter, db *database, opts *Options, failed func(error)) ([]*officer, error) {
	units := make([]string, opts.Officers)
	for i := range units {
		units[i] = wards[i%len(wards)].unit
	}
	codes, err := db.createInvites(ctx, units)
	if err != nil {
		return nil, err
	}
	officers := make([]*officer, opts.Officers)
	errs := make([]error, opts.Officers)
	var wg sync.WaitGroup
	for i := range officers {
		peers := opts.Officers / len(wards)
		if i%len(wards) < opts.Officers%len(wards) {
			peers++
		}
		p := newPerson(api, r, m, officerBaseID+int64(i), fmt.Sprintf("Cán bộ %d", i), opts.StepTimeout)
		officers[i] = newOfficer(p, units[i], i/len(wards), peers, failed)
		wg.Go(func() { errs[i] = officers[i].join(codes[i]) })
	}
	wg.Wait()
	return officers, errors.Join(errs...)
}

// progress logs the counters every few seconds.
func progress(ctx context.Context, m *meter, logger *slog.Logger) {
	start := time.Now()
	every(ctx, 5*time.Second, func() {
		logger.Info("progress", "s", int(time.Since(start).Seconds()), "updates", m.updates.Load(),
			"replied", m.replied.Load(), "filed", m.filed.Load(), "flows", m.flows.Load(), "lost", m.lost.Load())
	})
}

// every calls fn every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}
