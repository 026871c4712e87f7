package storage

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// statements keeps one prepared statement per distinct query text, so
// PostgreSQL parses and plans a query once per connection rather than on
// every call: under load, planning cost about a third of the server's
// statement time. The query texts are the constants in this package, so
// the set is small and fixed.
//
// A cached plan is only as good as the table sizes it was costed for. A
// join of an argument array with a table, planned while the table is
// nearly empty (a fresh database, the first minute of a burst), becomes a
// sequential scan that stays in the cache, growing with the table, until
// autovacuum analyzes it: marking messages sent scanned the whole outbox,
// 2.3 ms a call and a third of the server's time in a 30 s benchmark. Such
// a statement runs unprepared (Store.planEachCall), planned for its
// arguments and the table as it is. A statement called mostly with one id
// has a one-row form too, which is prepared: an index lookup at any size.
type statements struct {
	db        *sqlx.DB
	mu        sync.Mutex
	byQuery   map[string]*sqlx.Stmt
	preparing map[string]bool
}

// prepareTimeout bounds a background prepare waiting for a connection.
const prepareTimeout = 30 * time.Second

func newStatements(db *sqlx.DB) *statements {
	return &statements{db: db, byQuery: make(map[string]*sqlx.Stmt), preparing: make(map[string]bool)}
}

// lookup returns the query's statement if it is prepared; otherwise it
// has it prepared in the background and reports false. Preparing takes a
// connection of the pool: a transaction that waited for one while holding
// its own could, with every connection held that way, wait for ever.
func (c *statements) lookup(query string) (*sqlx.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.byQuery[query]; ok {
		return st, true
	}
	if !c.preparing[query] {
		c.preparing[query] = true
		go c.prepare(query)
	}
	return nil, false
}

func (c *statements) prepare(query string) {
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	st, err := c.db.PreparexContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, query)
	if err == nil {
		c.byQuery[query] = st
	}
}

// forget drops a statement PostgreSQL no longer accepts: "cached plan must
// not change result type" after another process altered a table it reads.
// The next call prepares it afresh.
func (c *statements) forget(query string, err error) {
	if err == nil || !strings.Contains(err.Error(), "cached plan must not change result type") {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.byQuery[query]; ok {
		delete(c.byQuery, query)
		_ = st.Close()
	}
}

// prepared runs queries through the statement cache, on the pool or, when
// tx is set, inside that transaction. It is the sqlx.ExtContext a Store
// queries through. A query not prepared yet (or that cannot be) runs
// unprepared, so its result or error comes back the usual way.
type prepared struct {
	*statements
	tx *sqlx.Tx
}

// planEachCall is where a query runs that must not use a cached plan (see
// statements).
func (s *Store) planEachCall() sqlx.ExtContext {
	if s.tx != nil {
		return s.tx
	}
	return s.db
}

// base is where unprepared queries run.
func (p prepared) base() sqlx.ExtContext {
	if p.tx != nil {
		return p.tx
	}
	return p.db
}

func (p prepared) stmt(ctx context.Context, query string) (*sqlx.Stmt, bool) {
	st, ok := p.lookup(query)
	if !ok {
		return nil, false
	}
	if p.tx != nil {
		// Bound to the transaction's connection; prepared there once and
		// reused by later transactions on it. Closed with the transaction.
		st = p.tx.StmtxContext(ctx, st)
	}
	return st, true
}

func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ok := p.stmt(ctx, query)
	if !ok {
		return p.base().ExecContext(ctx, query, args...)
	}
	res, err := st.ExecContext(ctx, args...)
	p.forget(query, err)
	return res, err
}

func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, ok := p.stmt(ctx, query)
	if !ok {
		return p.base().QueryContext(ctx, query, args...)
	}
	rows, err := st.QueryContext(ctx, args...)
	p.forget(query, err)
	return rows, err
}

func (p prepared) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	st, ok := p.stmt(ctx, query)
	if !ok {
		return p.base().QueryxContext(ctx, query, args...)
	}
	rows, err := st.QueryxContext(ctx, args...)
	p.forget(query, err)
	return rows, err
}

func (p prepared) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	st, ok := p.stmt(ctx, query)
	if !ok {
		return p.base().QueryRowxContext(ctx, query, args...)
	}
	row := st.QueryRowxContext(ctx, args...)
	p.forget(query, row.Err())
	return row
}

func (p prepared) DriverName() string         { return p.db.DriverName() }
func (p prepared) Rebind(query string) string { return p.db.Rebind(query) }
func (p prepared) BindNamed(query string, arg any) (string, []any, error) {
	return p.db.BindNamed(query, arg)
}
