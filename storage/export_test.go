package storage

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Queries exposes what a Store runs its queries through, for tests of the
// statement cache.
func (s *Store) Queries() sqlx.ExtContext { return s.x }

// OneConnection limits the pool to one connection, so a test knows which
// connection its statements were prepared on.
func (s *Store) OneConnection() { s.db.SetMaxOpenConns(1) }

// Prepared reports whether query has a cached prepared statement.
func (s *Store) Prepared(query string) bool {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	_, ok := s.stmts.byQuery[query]
	return ok
}

// ClaimUpdatesQuery is ClaimUpdates' statement, for tests of its plan.
var ClaimUpdatesQuery = claimUpdatesQuery

// ClaimOutboxQuery is ClaimOutbox's statement from the first chat, for
// tests of its plan.
var ClaimOutboxQuery = claimOutboxFromFirst

// LaterEditQuery is LaterEdit's statement, for tests of its plan.
var LaterEditQuery = laterEditQuery

// WithParam is withParam, for tests of both DSN forms.
var WithParam = withParam

// NewMigrator is newMigrator, for the test that takes every migration
// down and up again.
var NewMigrator = newMigrator

// The rating follow-ups' statements, for tests of their plans.
var (
	ClaimRatingRemindersQuery = claimRatingRemindersQuery
	UnratedAfterReminderQuery = unratedAfterReminderQuery
)

// BackendPID is the server process of the lead's connection, for tests
// that stop it.
func (l *Lead) BackendPID(ctx context.Context) (pid int, err error) {
	err = l.conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid)
	return pid, err
}
