package app

// Monitoring: the probes (/healthz, /readyz) and the Prometheus metrics
// (/metrics) served on LISTEN_ADDR.

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

const (
	// readyPingTimeout bounds the database ping of a readiness probe.
	readyPingTimeout = 2 * time.Second
	// statsEvery is how often, at most, the database-backed gauges are
	// computed; scrapes in between get the cached values, so however
	// often and from however many places /metrics is scraped, each
	// replica asks the database at most once per statsEvery.
	statsEvery = 15 * time.Second
	// statsTimeout bounds one computation.
	statsTimeout = 5 * time.Second
	// statsMaxAge is how long cached values are served when the database
	// no longer answers; after that the gauges are left out of the
	// scrape rather than frozen at a stale value.
	statsMaxAge = time.Minute
)

// liveness answers /healthz: the process is up and serving HTTP. It does
// not look at the database, so an outage of the database does not make an
// orchestrator restart every replica (that would not bring it back).
func liveness(w http.ResponseWriter, _ *http.Request) {
	w.Write([]byte("ok\n"))
}

// readiness answers /readyz: 200 when this replica should receive
// webhooks — it has started, the database answers a ping and the service
// is not shutting down — and 503 with the reason otherwise.
type readiness struct {
	db       atomic.Pointer[sql.DB] // nil while starting
	draining atomic.Bool
}

// start makes the replica ready while db answers.
func (r *readiness) start(db *sql.DB) { r.db.Store(db) }

// drain makes the replica unready for good: it is shutting down.
func (r *readiness) drain() { r.draining.Store(true) }

func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	db := r.db.Load()
	if db == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), readyPingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// metrics is the service's private Prometheus registry and the instruments
// the parts feed.
type metrics struct {
	registry    *prometheus.Registry
	updates     *prometheus.CounterVec
	shedUpdates *prometheus.CounterVec
	handling    prometheus.Histogram
}

// newMetrics makes the registry, served from the start: while a replica
// waits for its database or the Bot API, a scrape gets the Go runtime and
// the process rather than a failure. The rest joins with attach.
func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "danvan_updates_processed_total",
			Help: "Updates handled by this replica, by outcome: ok, or failed (to be retried or given up).",
		}, []string{"outcome"}),
		shedUpdates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "danvan_updates_shed_total",
			Help: "Updates recorded by this replica and shed unread (a flood), by the limit their chat was over: rate (CHAT_RATE) or backlog (CHAT_BACKLOG).",
		}, []string{"limit"}),
		handling: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "danvan_update_handler_seconds",
			Help:    "Time to handle one update inside its transaction.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	// Both outcomes exist from the start, so rates work before a failure.
	m.updates.WithLabelValues("ok")
	m.updates.WithLabelValues("failed")
	m.shedUpdates.WithLabelValues("rate")
	m.shedUpdates.WithLabelValues("backlog")
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// attach registers the started service's metrics: the two database pools
// (store's and the sender's deliveries), the processor's outcomes and
// timings (fed through observe), the sender's counters, and the gauges
// read from the database (see dbStats). now is the service's clock, for
// deadlines.
func (m *metrics) attach(store, deliveries *storage.Store, sender *bot.Sender, now func() time.Time, logger *slog.Logger) {
	senderCounter := func(name, help string, read func(bot.SenderStats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(read(sender.Stats())) })
	}
	m.registry.MustRegister(
		collectors.NewDBStatsCollector(store.DB(), "danvan"),
		collectors.NewDBStatsCollector(deliveries.DB(), "danvan_deliveries"),
		m.updates, m.shedUpdates, m.handling,
		senderCounter("danvan_telegram_sent_total", "Messages delivered to Telegram by this replica.",
			func(s bot.SenderStats) int64 { return s.Sent }),
		senderCounter("danvan_telegram_flood_control_total", "Telegram 429 responses (flood control) to this replica: the chat waits for retry_after.",
			func(s bot.SenderStats) int64 { return s.Deferred }),
		senderCounter("danvan_telegram_retries_total", "Temporary delivery failures (5xx, network) to be retried.",
			func(s bot.SenderStats) int64 { return s.Retried }),
		senderCounter("danvan_telegram_send_failures_total", "Messages given up for good (blocked by the user, chat not found, refused, a method the server lacks).",
			func(s bot.SenderStats) int64 { return s.Failed }),
		newDBStats(store, now, logger),
	)
}

// observe is the processor's Observe hook.
func (m *metrics) observe(elapsed time.Duration, failed bool) {
	outcome := "ok"
	if failed {
		outcome = "failed"
	}
	m.updates.WithLabelValues(outcome).Inc()
	m.handling.Observe(elapsed.Seconds())
}

// shed is the recorder's Shed hook.
func (m *metrics) shed(overRate, overBacklog int) {
	m.shedUpdates.WithLabelValues("rate").Add(float64(overRate))
	m.shedUpdates.WithLabelValues("backlog").Add(float64(overBacklog))
}

// handler serves the registry in the Prometheus exposition format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

var (
	outboxPendingDesc = prometheus.NewDesc("danvan_outbox_pending_messages",
		"Messages waiting in the outbox (all replicas share it).", nil, nil)
	outboxOldestDesc = prometheus.NewDesc("danvan_outbox_oldest_pending_seconds",
		"Age of the oldest message waiting in the outbox; 0 when it is empty.", nil, nil)
	outboxScheduledDesc = prometheus.NewDesc("danvan_outbox_scheduled_messages",
		"Messages scheduled for later, such as a notice to every follower of an area, not yet moved into the outbox.", nil, nil)
	inboxPendingDesc = prometheus.NewDesc("danvan_inbox_pending_updates",
		"Updates recorded and not yet handled (all replicas share them).", nil, nil)
	inboxOldestDesc = prometheus.NewDesc("danvan_inbox_oldest_pending_seconds",
		"Age of the oldest update not yet handled; 0 when there is none.", nil, nil)
	ticketsOpenDesc = prometheus.NewDesc("danvan_tickets_open",
		"Open tickets (not answered, completed, rejected or merged) held by a unit.", []string{"unit"}, nil)
	ticketsOverdueDesc = prometheus.NewDesc("danvan_tickets_overdue",
		"Open tickets past their deadline held by a unit, as reports count them.", []string{"unit"}, nil)
	statsFailuresDesc = prometheus.NewDesc("danvan_metrics_refresh_failures_total",
		"Times the database-backed gauges could not be computed.", nil, nil)
)

// dbStats is a collector for the gauges read from the database. It
// computes them at most every statsEvery, within statsTimeout, and serves
// the cached values in between; concurrent scrapes wait for one
// computation instead of starting their own.
type dbStats struct {
	store  *storage.Store
	now    func() time.Time
	logger *slog.Logger

	mu       sync.Mutex
	tried    time.Time // the last computation, successful or not
	computed time.Time // the last successful one
	failures int
	snap     dbSnapshot
}

type dbSnapshot struct {
	outboxPending, outboxScheduled, inboxPending int
	outboxOldest, inboxOldest                    time.Duration
	units                                        []storage.UnitTicketCounts
}

func newDBStats(store *storage.Store, now func() time.Time, logger *slog.Logger) *dbStats {
	if now == nil {
		now = time.Now
	}
	return &dbStats{store: store, now: now, logger: logger}
}

func (d *dbStats) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{outboxPendingDesc, outboxOldestDesc, outboxScheduledDesc, inboxPendingDesc, inboxOldestDesc,
		ticketsOpenDesc, ticketsOverdueDesc, statsFailuresDesc} {
		ch <- desc
	}
}

func (d *dbStats) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Since(d.tried) >= statsEvery {
		d.tried = time.Now()
		if err := d.refresh(); err != nil {
			d.failures++
			d.logger.Warn("metrics: reading the database failed", "error", err)
		}
	}
	ch <- prometheus.MustNewConstMetric(statsFailuresDesc, prometheus.CounterValue, float64(d.failures))
	if time.Since(d.computed) > statsMaxAge {
		return
	}
	gauge := func(desc *prometheus.Desc, v float64, unit ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, unit...)
	}
	s := d.snap
	gauge(outboxPendingDesc, float64(s.outboxPending))
	gauge(outboxOldestDesc, s.outboxOldest.Seconds())
	gauge(outboxScheduledDesc, float64(s.outboxScheduled))
	gauge(inboxPendingDesc, float64(s.inboxPending))
	gauge(inboxOldestDesc, s.inboxOldest.Seconds())
	for _, u := range s.units {
		gauge(ticketsOpenDesc, float64(u.Open), u.UnitCode)
		gauge(ticketsOverdueDesc, float64(u.Overdue), u.UnitCode)
	}
}

// refresh reads every gauge from the database, in one transaction.
func (d *dbStats) refresh() error {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	var s dbSnapshot
	err := d.store.InTx(ctx, func(tx *storage.Store) (err error) {
		if s.outboxPending, s.outboxOldest, err = tx.OutboxBacklog(ctx); err != nil {
			return err
		}
		if s.outboxScheduled, err = tx.ScheduledBacklog(ctx); err != nil {
			return err
		}
		if s.inboxPending, s.inboxOldest, err = tx.InboxBacklog(ctx); err != nil {
			return err
		}
		s.units, err = tx.UnitTicketCounts(ctx, d.now())
		return err
	})
	if err != nil {
		return err
	}
	d.snap, d.computed = s, time.Now()
	return nil
}
