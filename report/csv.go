package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// bom starts the CSV so that Excel reads it as UTF-8.
const bom = "\uFEFF"

// csvTime is how times are written in the CSV: Vietnam time, a form
// spreadsheets recognise as a date.
const csvTime = "2006-01-02 15:04"

// WriteCSV writes the tickets as CSV (RFC 4180: comma-separated, quoted
// where needed, CRLF line ends), UTF-8 with a byte-order mark so Excel shows
// Vietnamese correctly. A text that starts like a formula (=, +, -, @) is
// prefixed with an apostrophe, so a spreadsheet never runs what a citizen
// wrote.
func WriteCSV(w io.Writer, rows []storage.ReportRow) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(ticketHeaders); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	when := func(t time.Time, valid bool) string {
		if !valid {
			return ""
		}
		return t.In(zone).Format(csvTime)
	}
	record := make([]string, len(ticketHeaders))
	for _, r := range rows {
		rating := ""
		if r.Rating.Valid {
			rating = strconv.Itoa(int(r.Rating.Int16))
		}
		record = append(record[:0],
			r.Code,
			label(kindLabels, r.Kind),
			label(statusLabels, r.Status),
			defuse(r.Category),
			defuse(r.Area),
			defuse(r.UnitCode),
			defuse(r.UnitName),
			defuse(r.Description),
			when(r.CreatedAt, true),
			when(r.DueAt.Time, r.DueAt.Valid),
			when(r.AnsweredAt.Time, r.AnsweredAt.Valid),
			when(r.ClosedAt.Time, r.ClosedAt.Valid),
			rating,
			onTimeText(r),
			overdueText(r),
			strconv.Itoa(r.Extensions),
			urgentText(r),
		)
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("report: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// defuse keeps a spreadsheet from reading text as a formula (CSV injection).
func defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
