package storage

import (
	"context"
	"database/sql"
	"time"
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

// leadCallTimeout bounds a check or a release of a lead. A server gone
// silent (a failover that moved its address, a network partition) would
// otherwise hold the call until the kernel gives up on the connection,
// a quarter of an hour later, while a standby takes the role on the server
// it reaches, and shutdown would wait for it.
const leadCallTimeout = 5 * time.Second

// Check reports an error if the lead may have been lost: its connection
// no longer answers (within leadCallTimeout), so the server may have
// released the lock.
func (l *Lead) Check(ctx context.Context) error {
	return wrap("check lead", l.call(ctx, func(ctx context.Context) error {
		_, err := l.conn.ExecContext(ctx, `SELECT 1`)
		return err
	}))
}

// Watch returns a context that ends with ctx or once a check every
// interval finds the lead may be lost, for work that has no loop of its
// own to check it in, and a stop that ends the checks and returns the
// failed check's error, nil if none failed. A check is not cancelled with
// ctx (lib/pq closes a connection whose query is cancelled), only bounded
// as Check is.
func (l *Lead) Watch(ctx context.Context, interval time.Duration) (context.Context, func() error) {
	watched, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var lost error
	go func() {
		defer close(done)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-watched.Done():
				return
			case <-ticker.C:
				if lost = l.Check(context.WithoutCancel(watched)); lost != nil {
					cancel()
					return
				}
			}
		}
	}()
	return watched, func() error {
		cancel()
		<-done
		return lost
	}
}

// Release gives the role up, waiting at most leadCallTimeout: a
// connection that does not answer is left to die, which releases the lock
// too.
func (l *Lead) Release(ctx context.Context) {
	l.call(ctx, func(ctx context.Context) error {
		l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended('lead:' || $1, 0))`, l.role)
		return l.conn.Close()
	})
}

// call runs fn on the lead's connection and waits for it at most
// leadCallTimeout. The driver cannot interrupt a read from a server that
// has gone silent, so fn is left to finish in the background.
func (l *Lead) call(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, leadCallTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
