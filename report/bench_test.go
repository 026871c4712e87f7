package report_test

import (
	"database/sql"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
)

// benchRows makes n tickets like real ones: a Vietnamese description of
// about 170 characters, most answered and rated.
func benchRows(n int) []storage.ReportRow {
	rows := make([]storage.ReportRow, n)
	start := at(1, 1, 0, 0)
	for i := range rows {
		created := start.Add(time.Duration(i) * 4 * time.Minute)
		r := storage.ReportRow{
			Code: fmt.Sprintf("PA-2026-%06d", i+1), Kind: "phan_anh", Status: storage.StatusCompleted,
			Category: "Giao thông và hạ tầng", Area: "Phường Hòa Cường", UnitCode: "ubnd-hc", UnitName: "UBND phường Hòa Cường",
			Description: fmt.Sprintf("Phản ánh số %d: đường Nguyễn Văn Linh đoạn qua phường bị ngập sâu sau cơn mưa lớn chiều qua, "+
				"nước tràn vào nhà dân, đề nghị nạo vét cống thoát nước và kiểm tra hệ thống.", i+1),
			CreatedAt: created, DueAt: validTime(created.Add(240 * time.Hour)),
		}
		if i%4 != 0 {
			r.AnsweredAt = validTime(created.Add(time.Duration(i%300) * time.Hour))
			r.ClosedAt = validTime(r.AnsweredAt.Time.Add(48 * time.Hour))
			r.Rating = sql.NullInt16{Int16: int16(1 + i%5), Valid: true}
			r.OnTime = sql.NullBool{Bool: !r.AnsweredAt.Time.After(r.DueAt.Time), Valid: true}
		} else {
			r.Status, r.Overdue = storage.StatusInProgress, i%8 == 0
		}
		rows[i] = r
	}
	return rows
}

type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

var _ io.Writer = new(counter)

// go test -run '^$' -bench WriteXLSX -benchtime 3x ./report/
func BenchmarkWriteXLSX100k(b *testing.B) {
	rows := benchRows(100_000)
	_, summary := sample()
	b.ResetTimer()
	for b.Loop() {
		var c counter
		if err := report.WriteXLSX(&c, report.Data{Rows: rows, Summary: summary}, report.Meta{From: at(1, 1, 0, 0), To: at(12, 31, 0, 0)}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(c)/(1<<20), "MB")
	}
}

func BenchmarkWriteCSV100k(b *testing.B) {
	rows := benchRows(100_000)
	b.ResetTimer()
	for b.Loop() {
		var c counter
		if err := report.WriteCSV(&c, rows); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(c)/(1<<20), "MB")
	}
}
