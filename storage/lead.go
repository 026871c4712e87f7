package storage

import (
	"context"
	"database/sql"
)

// Lead is a role that one process at a time may hold across all replicas,
// such as sending a messenger's outbox (its rate limits are per bot, so
// one sender keeps them). It is a session advisory lock on a pinned
// connection: it ends when Release is called or when that connection dies
// (the process was killed, the server restarted), and a standby can then
// take it.
type Lead struct {
	conn *sql.Conn
	role string
}

// TryLead takes role if no other session holds it; ok is false if one does.
func (s *Store) TryLead(ctx context.Context, role string) (lead *Lead, ok bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, wrap("lead connection", err)
	}
	err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('lead:' || $1, 0))`, role).Scan(&ok)
	if err != nil || !ok {
		conn.Close()
		return nil, false, wrap("take lead", err)
	}
	return &Lead{conn: conn, role: role}, true, nil
}

// Check reports an error if the lead may have been lost: its connection
// no longer answers, so the server may have released the lock.
func (l *Lead) Check(ctx context.Context) error {
	_, err := l.conn.ExecContext(ctx, `SELECT 1`)
	return wrap("check lead", err)
}

// Release gives the role up.
func (l *Lead) Release(ctx context.Context) {
	l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended('lead:' || $1, 0))`, l.role)
	l.conn.Close()
}
