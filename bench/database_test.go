package bench

import (
	"context"
	"database/sql"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"
)

// countingConn counts the client's writes to the server: with lib/pq each
// write is one round trip's request (the driver buffers a message batch up
// to its Sync).
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

type countingDialer struct{ writes *atomic.Int64 }

func (d countingDialer) Dial(network, address string) (net.Conn, error) {
	c, err := net.Dial(network, address)
	if err != nil {
		return nil, err
	}
	return countingConn{c, d.writes}, nil
}

func (d countingDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout(network, address, timeout)
	if err != nil {
		return nil, err
	}
	return countingConn{c, d.writes}, nil
}

// countingDatabase is db with its bench pool replaced by one whose
// connections count their writes; extra is added to the DSN (key=value).
func countingDatabase(t *testing.T, db *database, extra string) (*database, *atomic.Int64) {
	t.Helper()
	writes := &atomic.Int64{}
	connector, err := pq.NewConnector(db.benchDSN() + extra)
	if err != nil {
		t.Fatal(err)
	}
	connector.Dialer(countingDialer{writes})
	pool := sql.OpenDB(connector)
	t.Cleanup(func() { pool.Close() })
	pool.SetMaxOpenConns(maxConns)
	return &database{dsn: db.dsn, db: pool, dir: db.dir, logger: db.logger}, writes
}

// baseline_insert_tps is "the machine's physical limit for durable work":
// its inserts go in one round trip each, as the bot's statements do
// (binary_parameters); prepared first, they would take two, which lowers
// the baseline and so raises ratio_vs_baseline.
func TestTheInsertBaselineTakesOneRoundTripAsTheBotsStatementsDo(t *testing.T) {
	ctx, db := testDatabase(t)
	const conns, d = 2, 500 * time.Millisecond

	bench, benchWrites := countingDatabase(t, db, "")
	_, benchInserts, err := baselineInsertTPS(ctx, bench, conns, d)
	if err != nil {
		t.Fatal(err)
	}
	bot, botWrites := countingDatabase(t, db, " binary_parameters=yes")
	_, botInserts, err := baselineInsertTPS(ctx, bot, conns, d)
	if err != nil {
		t.Fatal(err)
	}
	perBench := float64(benchWrites.Load()) / float64(benchInserts)
	perBot := float64(botWrites.Load()) / float64(botInserts)
	t.Logf("round trips an insert: the baseline's %.2f (%d inserts), with the bot's driver settings %.2f (%d inserts)",
		perBench, benchInserts, perBot, botInserts)
	if perBench > 1.2 {
		t.Fatalf("the insert baseline takes %.2f round trips an insert where the bot's connections take %.2f a statement: the baseline is handicapped", perBench, perBot)
	}
}

// db_commits_per_s counts the bot's commits: the bench's own samplers'
// statements, one transaction each, are taken off pg_stat_database's count.
func TestCommitsAreTheBotsOwn(t *testing.T) {
	ctx, db := testDatabase(t)
	commits := func() int64 {
		t.Helper()
		n, err := db.xactCommits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// PostgreSQL 15 flushes an idle backend's counters within about 10 s,
	// later on a loaded machine: the count is read until it holds still,
	// but for each reading's own transaction.
	time.Sleep(11 * time.Second)
	commits0 := commits()
	for n := commits(); n-commits0 > 1; n = commits() {
		time.Sleep(3 * time.Second)
		commits0 = n
	}
	sampled0 := db.sampled.Load()
	sampling, stop := context.WithTimeout(ctx, 2*time.Second)
	peak := &connPeak{}
	sampleBacklog(sampling, db, &meter{}, time.Second)
	every(sampling, connSampleEvery, func() { peak.sample(sampling, db) })
	stop()
	time.Sleep(100 * time.Millisecond) // the backlog sampler's last statement
	sampled := db.sampled.Load() - sampled0
	// Until the samplers' backends have flushed their counts.
	for deadline := time.Now().Add(90 * time.Second); commits()-commits0 < sampled; time.Sleep(2 * time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("the samplers' %d transactions never showed in pg_stat_database", sampled)
		}
	}
	bots, err := db.commitsSince(ctx, commits0, sampled0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d statements sampled; %d commits left", sampled, bots)
	// The readings count, and a background transaction (autovacuum) may;
	// the samplers ran about a hundred.
	if bots > 20 || bots < 0 {
		t.Fatalf("with no bot running, the bench counted %d of the bot's commits", bots)
	}
}

// A database whose commits would not wait for the disk is refused: the
// figures are about durable work (-database-url may point anywhere).
func TestADatabaseWithoutDurableCommitsIsRefused(t *testing.T) {
	ctx, db := testDatabase(t)
	if err := db.checkDurable(ctx); err != nil {
		t.Fatalf("the private server: %v", err)
	}
	if _, err := db.db.ExecContext(ctx, `ALTER DATABASE danvan SET synchronous_commit = off`); err != nil {
		t.Fatal(err)
	}
	other, err := openDatabase(ctx, db.dsn, db.logger)
	if err == nil {
		other.close()
		t.Fatal("a database with synchronous_commit off was accepted")
	}
	if !strings.Contains(err.Error(), "synchronous_commit off") {
		t.Fatalf("refused with %v", err)
	}
}
