package report

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// Generate loads and writes a report of the given units (nil: all) for
// [from, to), made now, in memory.
func Generate(ctx context.Context, store *storage.Store, unitIDs []int64, from, to time.Time, format Format) ([]byte, error) {
	d, err := Load(ctx, store, format, unitIDs, from, to)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = d.Write(&buf, format, Meta{From: from, To: to, Generated: time.Now()})
	return buf.Bytes(), err
}

// LimitXLSXTickets lowers, for the rest of test t, how many tickets an
// XLSX sheet takes. It changes the whole package: not for parallel tests.
func LimitXLSXTickets(t testing.TB, n int) {
	before := maxXLSXTickets
	maxXLSXTickets = n
	t.Cleanup(func() { maxXLSXTickets = before })
}
