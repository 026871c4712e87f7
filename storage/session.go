package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/lib/pq"
)

// A session's settings are given with SET as it connects, not in the
// startup packet: a pooler such as PgBouncer refuses startup parameters it
// does not track.
type setting struct{ name, value string }

// deadPeerSettings make the server end a session within about 25 s of its
// client going silent (a machine that lost power, a cut network), and so
// free the advisory locks the session holds: the sender's role, a job's
// run, the migrations. Without them a lock outlives its holder until the
// kernel gives up on the connection, two hours by default, and no replica
// sends or runs jobs meanwhile. A live client's kernel answers the probes
// however busy the process is. They have no effect over a Unix socket.
var deadPeerSettings = []setting{
	{"tcp_keepalives_idle", "10"},    // seconds of silence before probing
	{"tcp_keepalives_interval", "5"}, // seconds between probes
	{"tcp_keepalives_count", "3"},    // unanswered probes before giving up
	{"tcp_user_timeout", "25000"},    // ms data may stay unacknowledged
}

// settingConnector connects with pq and sets the settings on each new
// session, except those the DSN sets itself: an operator's choice wins.
type settingConnector struct {
	*pq.Connector
	statement string
}

func newSettingConnector(dsn string, settings []setting) (driver.Connector, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	var sets []string
	for _, s := range settings {
		if !strings.Contains(dsn, s.name) {
			sets = append(sets, "SET "+s.name+" = "+s.value)
		}
	}
	return settingConnector{Connector: c, statement: strings.Join(sets, "; ")}, nil
}

func (c settingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil || c.statement == "" {
		return conn, err
	}
	// Without arguments, pq sends the statements in one simple query.
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, c.statement, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("session settings: %w", err)
	}
	return conn, nil
}
