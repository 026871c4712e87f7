package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/lib/pq" // the driver the bot uses

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/localpg"
)

// database is the PostgreSQL the bot and the bench share.
type database struct {
	dsn    string          // for the bot
	db     *sql.DB         // the bench's own connections, named benchAppName
	dir    string          // the private server's data directory ("" with -database-url)
	server *localpg.Server // nil with -database-url
	logger *slog.Logger
	// sampled counts the statements the bench's samplers ran, each one
	// transaction, which pg_stat_database counts with the bot's commits.
	sampled atomic.Int64
}

// commitsSince is how many transactions the bot committed since a reading
// of xactCommits (commits0) taken when the samplers had run sampled0
// statements: the database's count, less the samplers'.
func (d *database) commitsSince(ctx context.Context, commits0, sampled0 int64) (int64, error) {
	sampled := d.sampled.Load()
	c, err := d.xactCommits(ctx)
	return c - commits0 - (sampled - sampled0), err
}

// maxConns caps the bench's own connections (more for a larger baseline).
const maxConns = 64

// openDatabase connects to url, or starts a private durable PostgreSQL
// (fsync and synchronous_commit on: the figures are about durable
// commits) in a new temporary directory.
func openDatabase(ctx context.Context, url string, logger *slog.Logger) (*database, error) {
	d := &database{dsn: url, logger: logger}
	if url == "" {
		// A short path under /tmp: the socket lives in the directory and
		// its path must stay under about 100 bytes. As root, localpg hands
		// the new directory to the postgres user; /tmp is searchable.
		dir, err := os.MkdirTemp("/tmp", "danvan-bench-pg-")
		if err != nil {
			return nil, err
		}
		d.dir = dir
		if err := d.startServer(ctx); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		d.dsn = d.server.DSN("danvan")
	}
	db, err := sql.Open("postgres", d.benchDSN())
	if err != nil {
		d.close()
		return nil, err
	}
	db.SetMaxOpenConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		d.close()
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	d.db = db
	if err := d.checkDurable(ctx); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// checkDurable refuses a database whose commits would not wait for the
// disk, by its settings for a session as the bot's main pool opens one
// (which sets neither): the figures are about durable work.
func (d *database) checkDurable(ctx context.Context) error {
	for _, name := range []string{"fsync", "synchronous_commit"} {
		var value string
		if err := d.db.QueryRowContext(ctx, `SELECT current_setting($1)`, name).Scan(&value); err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if value == "off" {
			return fmt.Errorf("the database has %s off: its commits would not be durable, and the figures not what they claim", name)
		}
	}
	return nil
}

// benchAppName is the application_name of the bench's own connections,
// so that the bot's can be told apart in pg_stat_activity.
const benchAppName = "danvan-bench"

// benchDSN is dsn with the bench's application_name.
// Its statements go in one round trip each (lib/pq's binary_parameters),
// as the bot's do (storage.Open): an insert baseline paying two would be
// handicapped, and a sampler's statement is then one transaction.
func (d *database) benchDSN() string {
	return withParams(d.dsn, map[string]string{"application_name": benchAppName, "binary_parameters": "yes"})
}

// withParams is dsn, a URL or key=value pairs, with the parameters set, in
// the DSN's form.
func withParams(dsn string, params map[string]string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		for k, v := range params {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		dsn += " " + k + "=" + params[k]
	}
	return dsn
}

// botConnections counts the connections to the database that are not the
// bench's: those busy (running a statement or in a transaction) and all.
func (d *database) botConnections(ctx context.Context) (busy, open int, err error) {
	err = d.db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE state <> 'idle'), count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> $1`,
		benchAppName).Scan(&busy, &open)
	d.countSampled(err)
	return busy, open, err
}

// countSampled counts a sampler's statement that ran (committed).
func (d *database) countSampled(err error) {
	if err == nil {
		d.sampled.Add(1)
	}
}

// serverDir is the private server's data directory, "" with -database-url.
func (d *database) serverDir() string {
	if d.server == nil {
		return ""
	}
	return d.server.Dir()
}

func (d *database) startServer(ctx context.Context) error {
	srv, err := localpg.Start(ctx, localpg.Options{Dir: d.dir, Logger: d.logger})
	if err != nil {
		return err
	}
	d.server = srv
	return nil
}

// restart stops the private server and starts it again on the same data
// directory (-fault pgrestart, pgcrash); down is how long it stays
// stopped. With crash, it is stopped as pg_ctl stop -m immediate does, by
// SIGQUIT to the postmaster: no checkpoint, and the commits that did not
// wait for their WAL to be flushed (the sender's) may be lost, as in a
// power cut; the restart then runs crash recovery.
func (d *database) restart(ctx context.Context, down time.Duration, crash bool) error {
	if d.server == nil {
		return fmt.Errorf("-fault pgrestart and pgcrash need the private server (no -database-url)")
	}
	if crash {
		if err := crashServer(ctx, d.server.Dir()); err != nil {
			return err
		}
	}
	// After a crash this finds no server and only marks it stopped.
	if err := d.server.Stop(ctx); err != nil {
		return err
	}
	time.Sleep(down)
	return d.startServer(ctx)
}

// crashServer sends SIGQUIT to the postmaster of dir and waits until it
// has exited.
func crashServer(ctx context.Context, dir string) error {
	pid := postmasterPID(dir)
	if pid == 0 {
		return errors.New("no postmaster.pid: the server is not running")
	}
	if err := syscall.Kill(pid, syscall.SIGQUIT); err != nil {
		return fmt.Errorf("SIGQUIT to the postmaster: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the postmaster (pid %d) did not exit after SIGQUIT", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func (d *database) close() {
	if d.db != nil {
		d.db.Close()
	}
	if d.server != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := d.server.Stop(stopCtx); err != nil {
			d.logger.Error("stopping the private PostgreSQL", "error", err)
		}
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// createInvites stores one-time invitation codes for officers, as
// `danvan admin invite` does, and returns them.
func (d *database) createInvites(ctx context.Context, units []string) ([]string, error) {
	store, err := storage.Open(ctx, d.benchDSN())
	if err != nil {
		return nil, err
	}
	defer store.Close()
	codes := make([]string, len(units))
	for i, code := range units {
		u, err := store.UnitByCode(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("unit %s: %w", code, err)
		}
		codes[i] = fmt.Sprintf("BENCH-%d-%d", time.Now().UnixNano(), i)
		if err := store.CreateInvite(ctx, u.ID, "officer", handlers.HashInvite(codes[i]), time.Now().Add(24*time.Hour)); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// xactCommits reads the committed transactions of the current database.
func (d *database) xactCommits(ctx context.Context) (int64, error) {
	var n int64
	err := d.db.QueryRowContext(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	return n, err
}

// walCounters is a reading of the server's WAL statistics (pg_stat_wal,
// PostgreSQL 14 and later): how many times it flushed WAL to disk, the
// durable work, which the commits xactCommits counts overstate when some
// of them do not wait for a flush; and how many bytes of WAL it wrote.
type walCounters struct{ syncs, bytes int64 }

func (d *database) walCounters(ctx context.Context) (walCounters, error) {
	var c walCounters
	err := d.db.QueryRowContext(ctx, `SELECT wal_sync, wal_bytes FROM pg_stat_wal`).Scan(&c.syncs, &c.bytes)
	return c, err
}

// walWork is the WAL written between two readings: flushes per second and
// bytes per unit of work (an update handled, an insert).
type walWork struct{ syncsPerS, bytesPerUnit float64 }

// walSince measures the WAL work from a reading taken before until now,
// over elapsed and units of work; zero when either reading fails or the
// counters went back (the server was restarted).
func (d *database) walSince(ctx context.Context, before walCounters, beforeErr error, elapsed time.Duration, units int64) walWork {
	after, err := d.walCounters(ctx)
	if beforeErr != nil || err != nil || after.syncs < before.syncs || after.bytes < before.bytes || elapsed <= 0 {
		return walWork{}
	}
	w := walWork{syncsPerS: float64(after.syncs-before.syncs) / elapsed.Seconds()}
	if units > 0 {
		w.bytesPerUnit = float64(after.bytes-before.bytes) / float64(units)
	}
	return w
}

// outboxBacklog counts outbox rows not sent: pending and failed.
func (d *database) outboxBacklog(ctx context.Context) (pending, failed int64, err error) {
	err = d.db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'failed')
		FROM outbox`).Scan(&pending, &failed)
	return pending, failed, err
}

// waiting reports whether messages wait to be sent (not callback answers,
// which skip the chats' queues) and counts the updates waiting to be
// handled. It runs every second beside the bot, so it asks only whether
// messages wait: counting tens of thousands of them took 90 ms of the
// database's time a sample.
func (d *database) waiting(ctx context.Context) (messages bool, updates int64, err error) {
	err = d.db.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT FROM outbox WHERE status = 'pending' AND kind <> 'answer'),
		       (SELECT count(*) FROM inbox WHERE processed_at IS NULL AND failed_at IS NULL)`).Scan(&messages, &updates)
	d.countSampled(err)
	return messages, updates, err
}

// failedByKind counts the outbox rows given up on, by message kind.
func (d *database) failedByKind(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := d.scan(ctx, `SELECT kind, count(*) FROM outbox WHERE status = 'failed' GROUP BY kind`, func(rows *sql.Rows) error {
		var (
			kind string
			n    int64
		)
		err := rows.Scan(&kind, &n)
		out[kind] = n
		return err
	})
	return out, err
}

// scan runs a query and calls row for each row.
func (d *database) scan(ctx context.Context, query string, row func(*sql.Rows) error, args ...any) error {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// nextUpdateID is where a new fake Bot API must start numbering updates:
// past every update the bot has stored, as Telegram's numbering continues
// (the bot ignores an update id it has already seen).
func (d *database) nextUpdateID(ctx context.Context) (int, error) {
	var last sql.NullInt64
	if err := d.db.QueryRowContext(ctx, `SELECT max(update_id) FROM inbox`).Scan(&last); err != nil {
		return 0, err
	}
	return max(int(last.Int64)+1000, tg.DefaultFirstUpdateID), nil
}

// waitReachable waits until the database answers again (after a restart).
func (d *database) waitReachable(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := d.db.PingContext(ctx)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
