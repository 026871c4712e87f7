package report

import (
	"bytes"
	"context"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// Generate loads and writes a report of the given units (nil: all) for
// [from, to), made now, in memory.
func Generate(ctx context.Context, store *storage.Store, unitIDs []int64, from, to time.Time, format Format) ([]byte, error) {
	d, err := Load(ctx, store, unitIDs, from, to)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = d.Write(&buf, format, Meta{From: from, To: to, Generated: time.Now()})
	return buf.Bytes(), err
}
