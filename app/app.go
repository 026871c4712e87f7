// Package app assembles the danvan service from its parts — storage, the
// Telegram transport, the handlers, the outbox sender and the scheduled
// jobs — and runs it until it is told to stop, then drains its work.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/jobs"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Options are what Run needs besides the configuration.
type Options struct {
	Logger *slog.Logger
	// Now is the service's clock; nil is the real one.
	Now func() time.Time
	// Started, when set, is called once the service runs, with handles to
	// its parts (the sandbox uses them to move time and run jobs).
	Started func(Running)
}

// Running gives access to a running service's parts.
type Running struct {
	Store   *storage.Store
	Service *handlers.Service
	Jobs    []jobs.Job
	// RunJob runs a job for a slot now (once per slot, as scheduled runs).
	RunJob func(ctx context.Context, job jobs.Job, slot time.Time) bool
	// Wake makes the sender look at the outbox at once.
	Wake func()
}

// WebhookPath is where the webhook handler listens on LISTEN_ADDR.
const WebhookPath = "/telegram/webhook"

// Run runs the service until ctx is cancelled. Shutdown happens in order:
// turn /readyz to 503 (and keep taking updates for SHUTDOWN_DRAIN_DELAY),
// stop taking updates, finish the ones in hand, stop the jobs, flush the
// outbox (within the shutdown timeout), stop the HTTP server (the probes
// and /metrics answer until then), close the database.
func Run(ctx context.Context, cfg *config.Config, opts Options) error {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if err := cfg.ValidateRun(); err != nil {
		return err
	}
	// Stopped while starting (an early Ctrl+C cuts a connection or a
	// migration short): what was asked for, not a failure.
	startFailed := func(err error) error {
		if ctx.Err() != nil {
			logger.Info("stopped while starting", "error", err)
			return nil
		}
		return err
	}
	// The probes and /metrics answer from the start, so that a replica
	// waiting for its database's migrations or for the Bot API is alive,
	// though not ready.
	// Only the webhook is meant to be reachable from outside; the probes
	// and /metrics are for the orchestrator and the monitoring system.
	listener, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR: %w", err)
	}
	ready := &readiness{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", liveness)
	mux.Handle("GET /readyz", ready)
	metrics := newMetrics()
	mux.Handle("GET /metrics", metrics.handler())
	// Telegram posts an update in one short request; a client that trickles
	// its body or idles on a connection would otherwise hold it for ever.
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	defer server.Close() // a start that failed; runUntilDone shuts it down gracefully

	store, closeStore, err := OpenStore(ctx, cfg, logger)
	if err != nil {
		return startFailed(err)
	}
	defer closeStore()
	// The sender's own pool, whose commits do not wait for the disk: see
	// storage.OpenDeliveries.
	deliveries, err := store.OpenDeliveries(ctx)
	if err != nil {
		return startFailed(err)
	}
	defer deliveries.Close()
	// Deferred calls run last first: the server, whose handlers use the
	// pools, stops before they close.
	defer server.Close()

	client, err := telegram.NewClient(ctx, cfg.TelegramToken, telegram.ClientOptions{APIURL: cfg.TelegramAPIURL, Logger: logger})
	if err != nil {
		return startFailed(err)
	}
	// A notice to every follower goes out at two thirds of SEND_RATE, so
	// replies keep the rest.
	service, err := handlers.New(handlers.Config{Now: opts.Now, Logger: logger, CitizenKinds: cfg.PetitionKinds,
		BotUsername: client.Username(), AnnouncementRate: cfg.SendRate * 2 / 3})
	if err != nil {
		return err
	}
	messenger := telegram.NewMessenger(client, logger)
	// A short lease bounds how long a chat waits for a message that a
	// crashed replica had taken; a delivery gets less time than the lease.
	// SEND_RATE and CHAT_SEND_RATE are Telegram's limits unless the Bot
	// API server has none; one replica sends at a time, so they are the
	// bot's.
	sender := bot.NewSender(deliveries, messenger, logger, bot.SenderOptions{
		DeliveryTimeout: 10 * time.Second, Lease: 15 * time.Second,
		GlobalRate: rate.Limit(cfg.SendRate),
		ChatRate:   rate.Limit(cfg.ChatSendRate), ChatBurst: max(3, int(math.Ceil(cfg.ChatSendRate))),
	})
	metrics.attach(store, deliveries, sender, opts.Now, logger)
	decoders := map[string]bot.Decoder{telegram.Channel: telegram.NewDecoder(client.Username())}
	processor := handlers.NewProcessor(store, service, decoders, sender.Wake,
		handlers.ProcessorOptions{Workers: cfg.Workers, Observe: metrics.observe})
	record := telegram.Recorder(store, telegram.RecorderOptions{
		ChatBacklog: cfg.ChatBacklog, ChatRate: cfg.ChatRate, Recorded: processor.Wake,
		Shed: func(overRate, overBacklog int) {
			metrics.shed(overRate, overBacklog)
			processor.Shed(overRate + overBacklog)
		},
	})

	if err := store.InTx(ctx, func(tx *storage.Store) error {
		return service.QueueDefaultMenus(ctx, tx, telegram.Channel)
	}); err != nil {
		return startFailed(err)
	}

	runner := jobs.NewRunner(store, workcal.Location(), logger)
	policy := handlers.ClockPolicy{
		SecondEscalationWorkdays: cfg.SecondEscalationDays,
		RatingReminderAfter:      time.Duration(cfg.RatingReminderDays) * 24 * time.Hour,
		CloseAfterReminder:       time.Duration(cfg.AutoCloseDays) * 24 * time.Hour,
	}
	scheduled := []jobs.Job{
		jobs.Housekeeping(store),
		jobs.Reminders(store, service, cfg.ReminderCron),
		jobs.Escalations(store, service, policy),
		jobs.RatingFollowUp(store, service, policy),
		jobs.ReceptionReminders(store, service),
		jobs.WeeklyDigest(store, cfg.DigestCron, logger),
	}
	for _, job := range scheduled {
		if err := runner.Add(job); err != nil {
			return err
		}
	}

	intake := func(ctx context.Context) error {
		return telegram.NewPoller(client, store, record, logger, telegram.PollerOptions{}).Run(ctx)
	}
	if cfg.TelegramMode == "webhook" {
		// Served before the webhook is registered: Telegram delivers what
		// waits as soon as it is set, and backs off after a refused
		// delivery. What comes is recorded, and handled once the workers
		// run.
		hook, err := telegram.NewWebhookHandler(cfg.TelegramWebhookSecret, record, logger, telegram.WebhookOptions{})
		if err != nil {
			return err
		}
		gate := &intakeGate{next: hook}
		mux.Handle("POST "+WebhookPath, gate)
		if err := client.RegisterWebhook(ctx, cfg.TelegramWebhookURL, cfg.TelegramWebhookSecret); err != nil {
			// It waits out flood control until stopped.
			return startFailed(err)
		}
		intake = func(ctx context.Context) error { <-ctx.Done(); gate.close(); return nil }
	} else if err := client.DeleteWebhook(ctx); err != nil {
		// getUpdates fails while a webhook is set; a server without the
		// method has none set, so this is only worth a warning.
		logger.Warn("could not delete a webhook before polling", "error", err)
	}
	ready.start(store.DB())
	logger.Info("danvan started", "bot", client.Username(), "mode", cfg.TelegramMode, "listen", cfg.ListenAddr)
	if opts.Started != nil {
		opts.Started(Running{Store: store, Service: service, Jobs: scheduled, RunJob: runner.RunSlot, Wake: sender.Wake})
	}
	return runUntilDone(ctx, cfg.ShutdownTimeout, logger, parts{
		intake: intake, server: server, served: served, processor: processor, runner: runner, sender: sender, store: store,
		unready: ready.drain, drainDelay: cfg.ShutdownDrainDelay,
	})
}

type parts struct {
	// unready turns /readyz to 503; drainDelay is how long intake goes
	// on after that, so a load balancer notices before it stops.
	unready    func()
	drainDelay time.Duration
	intake     func(context.Context) error
	server     *http.Server
	served     <-chan error // what the server's Serve returned
	processor  *handlers.Processor
	runner     *jobs.Runner
	sender     *bot.Sender
	store      *storage.Store
}

// runUntilDone runs the parts and shuts them down in order when ctx ends.
func runUntilDone(ctx context.Context, timeout time.Duration, logger *slog.Logger, p parts) error {
	// Each stage has its own context so it can be stopped after the
	// stages that feed it.
	intakeCtx, stopIntake := context.WithCancel(context.WithoutCancel(ctx))
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopIntake()
	defer stopWork()
	defer stopSending()

	errs := make(chan error, 4)
	var serveWG, intakeWG, workWG, sendWG sync.WaitGroup
	intakeWG.Go(func() { errs <- p.intake(intakeCtx) })
	serveWG.Go(func() {
		if err := <-p.served; !errors.Is(err, http.ErrServerClosed) {
			errs <- err
		}
	})
	workWG.Go(func() { errs <- p.processor.Run(workCtx) })
	sendWG.Go(func() { errs <- p.sender.Run(sendCtx) })
	p.runner.Start(workCtx)

	var failure error
	select {
	case <-ctx.Done():
	case failure = <-errs:
		logger.Error("a part of the service stopped", "error", failure)
	}
	logger.Info("shutting down")
	p.unready()
	if failure == nil && p.drainDelay > 0 {
		select {
		case <-time.After(p.drainDelay):
		case failure = <-errs:
			logger.Error("a part of the service stopped", "error", failure)
		}
	}
	deadline := time.Now().Add(timeout)
	stopIntake()
	shutdownCtx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		intakeWG.Wait()
		stopWork()
		workWG.Wait()
		p.runner.Stop()
		flushOutbox(shutdownCtx, logger, p.store, p.sender)
		stopSending()
		sendWG.Wait()
	}()
	// The work in hand runs to its end rather than be cut short, and each
	// step of it is bounded but for a database that stops answering (a
	// partition, a failover that moved the address), where it would wait
	// for the kernel to give up on the connection: minutes. Past the
	// bound the process stops without it; it stays in the inbox and the
	// outbox, and is done again at the next start.
	select {
	case <-drained:
	case <-time.After(time.Until(deadline) + drainOverrun):
		logger.Error("shutdown: the work in hand did not finish in time (is the database answering?); stopping without it",
			"waited", timeout+drainOverrun)
		return errors.Join(failure, errDrainTimedOut)
	}
	// The probes and /metrics answered through the drain (/readyz 503):
	// an orchestrator checking liveness, or a scrape, sees a replica that
	// drains, not one that died. A webhook delivery in hand is finished.
	serverCtx, cancelServer := context.WithTimeout(context.Background(), serverShutdownTimeout)
	defer cancelServer()
	p.server.Shutdown(serverCtx)
	serveWG.Wait()
	logger.Info("stopped")
	return failure
}

// serverShutdownTimeout bounds the wait for the HTTP requests in hand at
// the end of the drain: probes, scrapes and webhook deliveries (a record
// in the inbox) are short.
const serverShutdownTimeout = 5 * time.Second

// drainOverrun is how long past SHUTDOWN_TIMEOUT the drain may go on: a
// delivery in flight is finished and recorded (README, Running at scale:
// Probes).
const drainOverrun = 20 * time.Second

var errDrainTimedOut = errors.New("shutdown: the work in hand was left unfinished")

// flushOutbox lets the sender deliver what is queued, until the deadline
// or until nothing left can go out before it (a chat told to wait longer,
// a retry due later). Whatever is left stays in the outbox for the next
// start. A standby replica has nothing to flush: the sending replica
// delivers.
func flushOutbox(ctx context.Context, logger *slog.Logger, store *storage.Store, sender *bot.Sender) {
	deadline, _ := ctx.Deadline()
	for sender.Leading() {
		pending, _, err := store.OutboxBacklog(ctx)
		if err != nil {
			logger.Warn("shutdown: the outbox's flush stopped", "error", err)
			return
		}
		if pending == 0 {
			return
		}
		// Idle is judged on a claim made after this Wake: the sender's
		// latest may be older than a message come due since.
		sender.Wake()
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
		if sender.Idle(deadline) {
			return
		}
	}
}
