package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/digest/digesttest"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
	"github.com/danvan-vn/danvan/workcal"
)

// BenchmarkComputeAllDigests computes every leader's digest of a province
// with 1,000,000 tickets over a year, 3,000 units and 1,000 leaders. The
// target is under 2 s per operation on a 2-core machine. Seeding takes
// a while and happens before the timer starts:
//
//	go test -run '^$' -bench ComputeAll -benchtime 3x ./digest/
func BenchmarkComputeAllDigests(b *testing.B) {
	ctx := context.Background()
	weekStart := time.Date(2026, 3, 2, 0, 0, 0, 0, workcal.Location())
	store, err := storage.Open(ctx, storagetest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	begin := time.Now()
	if err := digesttest.Bulk(ctx, store.DB(), digesttest.BulkOptions{
		Tickets: 1_000_000, Units: 3000, Leaders: 1000, To: weekStart.AddDate(0, 0, 7),
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded in %v", time.Since(begin))
	var n int
	for b.Loop() {
		digests, err := digest.ComputeAll(ctx, store, weekStart)
		if err != nil {
			b.Fatal(err)
		}
		n = len(digests)
	}
	if n != 1000 {
		b.Fatalf("%d digests, want 1000", n)
	}
}
