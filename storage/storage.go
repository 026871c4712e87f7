// Package storage keeps all of danvan's state in PostgreSQL: one file per
// aggregate, SQL that reads as SQL, context first, wrapped errors.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Sentinel errors callers can test with errors.Is.
var (
	ErrNotFound  = errors.New("storage: not found")
	ErrDuplicate = errors.New("storage: duplicate")
	// ErrDeadlock is a transaction PostgreSQL aborted to break a
	// deadlock; run again, it will likely go through.
	ErrDeadlock = errors.New("storage: deadlock")
	// ErrCloseTimedOut is Close giving up on a server not answering.
	ErrCloseTimedOut = errors.New("storage: closing the connections timed out")
)

// Store is the database handle. A Store bound to a transaction (see InTx)
// has the same methods, so a handler's whole unit of work commits at once.
type Store struct {
	db    *sqlx.DB
	x     sqlx.ExtContext
	tx    *sqlx.Tx // set when bound to a transaction
	stmts *statements
	// queued holds the messages a transaction queued (Enqueue) until it
	// commits.
	queued []queuedEntry
	// committed holds what is to run once the transaction commits.
	committed []func()
	dsn       string // what the pool was opened with
}

// Open connects to PostgreSQL and checks the connection. Queries run as
// prepared statements (see statements), which a pooler in session mode
// keeps; transaction mode is unsupported anyway (advisory locks).
func Open(ctx context.Context, dsn string) (*Store, error) {
	return open(ctx, dsn, MaxConns, deadPeerSettings)
}

// MaxConns caps the connections of a Store opened with Open.
const MaxConns = 20

// MaxDeliveryConns caps the connections of a Store opened with
// OpenDeliveries: the sender's lead, its claims, its delivery records
// and the odd retry.
const MaxDeliveryConns = 6

// OpenDeliveries opens a second, smaller pool on the same database for
// the outbox sender, whose transactions commit without waiting for the
// write-ahead log to reach the disk (synchronous_commit off). Everything
// the sender writes is bookkeeping of deliveries: a lease, a message
// recorded sent, a retry time. If the database server crashes, the
// last fraction of a second of these may be lost (a clean restart loses
// nothing), and the messages concerned are delivered again: at least
// once, as when the bot itself dies between a delivery and its record.
// No update, ticket or queued message is written through it. A claim's
// commit is on the way of every reply, and no longer waits for a flush.
func (s *Store) OpenDeliveries(ctx context.Context) (*Store, error) {
	return open(ctx, s.dsn, MaxDeliveryConns, slices.Concat(deadPeerSettings, []setting{{"synchronous_commit", "off"}}))
}

func open(ctx context.Context, dsn string, maxConns int, settings []setting) (*Store, error) {
	if err := checkURL(dsn); err != nil {
		return nil, err
	}
	connector, err := newSettingConnector(oneRoundTrip(dsn), settings)
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns / 2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: connect: %w", err)
	}
	stmts := newStatements(db)
	return &Store{db: db, x: prepared{statements: stmts}, stmts: stmts, dsn: dsn}, nil
}

// checkURL refuses a DSN in URL form that does not parse, saying why
// without quoting it: the error of its parse, which lib/pq would return,
// holds the whole URL, password included, for the terminal and the logs.
func checkURL(dsn string) error {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil
	}
	_, err := url.Parse(dsn)
	var invalid *url.Error
	if errors.As(err, &invalid) {
		err = invalid.Err
	}
	if err != nil {
		return fmt.Errorf("storage: open: the database URL is not valid: %w", err)
	}
	return nil
}

// oneRoundTrip turns on lib/pq's binary_parameters, which sends a query
// with its arguments in one round trip instead of preparing it first:
// handlers run many small queries, and this halves their waiting. Its one
// catch, []byte arguments going out in binary, is why JSON is passed to
// queries as strings.
func oneRoundTrip(dsn string) string {
	if strings.Contains(dsn, "binary_parameters") {
		return dsn
	}
	return withParam(dsn, "binary_parameters", "yes")
}

// withParam adds a connection parameter to a DSN in either form, URL or
// key=value.
func withParam(dsn, key, value string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

// Close closes the connection pool and the prepared statements of its
// connections. Closing a statement waits for the server's answer, for
// ever should it have stopped answering (a partition, a failover that
// moved the address): after closeTimeout Close gives up, leaving the
// connections to the process's exit.
func (s *Store) Close() error {
	closed := make(chan error, 1)
	go func() { closed <- s.db.Close() }()
	select {
	case err := <-closed:
		return err
	case <-time.After(closeTimeout):
		return ErrCloseTimedOut
	}
}

// closeTimeout bounds Close.
const closeTimeout = 5 * time.Second

// DB exposes the pool for migrations and health checks.
func (s *Store) DB() *sql.DB { return s.db.DB }

// InTx runs fn in one transaction and commits if fn returns nil. Called on a
// Store that is already in a transaction, it joins that transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	// Rolls back unless committed: after an error, and when fn panics (a
	// job's panic is recovered further out), so the transaction's locks
	// and connection are not held until shutdown.
	defer tx.Rollback()
	txs := &Store{db: s.db, x: prepared{statements: s.stmts, tx: tx}, tx: tx, stmts: s.stmts}
	if err := fn(txs); err != nil {
		return err
	}
	if err := txs.WriteQueued(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	for _, fn := range txs.committed {
		fn()
	}
	return nil
}

// AfterCommit runs fn once the transaction commits, and never if it rolls
// back: a change is logged only once it has happened (a batch of updates
// rolled back is handled again). Outside a transaction fn runs at once.
func (s *Store) AfterCommit(fn func()) {
	if s.tx == nil {
		fn()
		return
	}
	s.committed = append(s.committed, fn)
}

// wrap names the failed operation and maps driver errors to sentinels.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("storage: %s: %w", op, ErrNotFound)
	case pq.As(err, pqerror.UniqueViolation) != nil:
		return fmt.Errorf("storage: %s: %w (%w)", op, ErrDuplicate, err)
	case pq.As(err, pqerror.TRDeadlockDetected) != nil:
		return fmt.Errorf("storage: %s: %w (%w)", op, ErrDeadlock, err)
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}
