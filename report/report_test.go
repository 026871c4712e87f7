package report_test

import (
	"archive/zip"
	"bytes"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

var zone = workcal.Location()

func at(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, zone) }

func validTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }

// sample is a small report: a leader's unit with a department below it,
// a unit with nothing answered, and tickets not routed to any unit.
func sample() ([]storage.ReportRow, []storage.UnitSummary) {
	summary := []storage.UnitSummary{
		{UnitID: 1, UnitCode: "ubnd-hc", UnitName: "UBND phường Hòa Cường", Depth: 1,
			Received: 6, Answered: 5, AnsweredOnTime: 3, Overdue: 3, Rated: 3, RatingSum: 10, Satisfied: 2},
		{UnitID: 2, UnitCode: "hc-dc", UnitName: "Tổ địa chính phường Hòa Cường", Depth: 2,
			Received: 2, Overdue: 1},
		{UnitID: 3, UnitCode: "ubnd-hch", UnitName: "UBND phường Hải Châu", Depth: 1,
			Received: 1, Answered: 1, AnsweredOnTime: 1, Rated: 1, RatingSum: 5, Satisfied: 1},
		{UnitID: 0, Received: 1, Overdue: 1},
	}
	rows := []storage.ReportRow{
		{Code: "PA-2026-000001", Kind: "phan_anh", Status: storage.StatusCompleted, Category: "Môi trường",
			Area: "Phường Hòa Cường", UnitCode: "ubnd-hc", UnitName: "UBND phường Hòa Cường",
			Description: "Cống thoát nước bị tắc, nước tràn ra đường Núi Thành", CreatedAt: at(1, 1, 0, 0),
			DueAt: validTime(at(1, 15, 17, 0)), AnsweredAt: validTime(at(1, 10, 9, 30)), ClosedAt: validTime(at(1, 11, 8, 0)),
			Rating: sql.NullInt16{Int16: 5, Valid: true}, OnTime: sql.NullBool{Bool: true, Valid: true}, Extensions: 1, Urgent: true},
		{Code: "PA-2026-000002", Kind: "kien_nghi", Status: storage.StatusReopened, Category: "Đất đai",
			UnitCode: "ubnd-hc", UnitName: "UBND phường Hòa Cường", Description: storage.ConfidentialText, Confidential: true,
			CreatedAt: at(2, 1, 8, 0), DueAt: validTime(at(2, 20, 17, 0)), AnsweredAt: validTime(at(2, 25, 17, 0)),
			Rating: sql.NullInt16{Int16: 2, Valid: true}, OnTime: sql.NullBool{Bool: false, Valid: true}, Overdue: true},
		{Code: "PA-2026-000003", Kind: "gop_y", Status: storage.StatusReceived,
			Description: "=HYPERLINK(\"http://x\",\"bấm vào\")", CreatedAt: at(6, 30, 23, 59)},
	}
	return rows, summary
}

// sampleReceptions are the reception figures of sample's units.
func sampleReceptions() []storage.UnitReceptions {
	return []storage.UnitReceptions{
		{UnitID: 1, UnitCode: "ubnd-hc", UnitName: "UBND phường Hòa Cường", Depth: 1,
			Booked: 12, Received: 6, Absent: 2, Refused: 1, CalledOff: 2, Awaited: 1, Answered: 5, AnsweredOnTime: 4},
		{UnitID: 2, UnitCode: "hc-dc", UnitName: "Tổ địa chính phường Hòa Cường", Depth: 2},
		{UnitID: 3, UnitCode: "ubnd-hch", UnitName: "UBND phường Hải Châu", Depth: 1,
			Booked: 3, Received: 2, Awaited: 1, Answered: 1},
	}
}

// readXLSX opens a workbook written by WriteXLSX.
func readXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// rowWith returns the number (1-based) and cells of the first row of a
// sheet whose column col (0-based) is text.
func rowWith(t *testing.T, f *excelize.File, sheet string, col int, text string) (int, []string) {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > col && r[col] == text {
			// GetRows leaves out empty cells at the end of a row.
			return i + 1, append(r, make([]string, max(0, 20-len(r)))...)
		}
	}
	t.Fatalf("%s: no row with %q in column %d", sheet, text, col)
	return 0, nil
}

func raw(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func shown(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

// excelSerial is the date cell value of a wall-clock time in Vietnam.
func excelSerial(tm time.Time) float64 {
	wall := tm.In(zone)
	utc := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC)
	return float64(utc.Unix())/86400 + 25569
}

func TestWriteXLSXRoundTrip(t *testing.T) {
	rows, summary := sample()
	var buf bytes.Buffer
	meta := report.Meta{
		Scope: "UBND phường Hòa Cường", From: at(1, 1, 0, 0), To: at(7, 1, 0, 0),
		Generated: time.Date(2026, 7, 1, 2, 30, 0, 0, time.UTC),
	}
	if err := report.WriteXLSX(&buf, report.Data{Rows: rows, Summary: summary, Receptions: sampleReceptions()}, meta); err != nil {
		t.Fatal(err)
	}
	f := readXLSX(t, buf.Bytes())
	if got := f.GetSheetList(); len(got) != 3 || got[0] != "Tổng hợp" || got[1] != "Phản ánh" || got[2] != "Tiếp công dân" {
		t.Fatalf("sheets = %q", got)
	}

	// The heading, the same on both per-unit sheets but for the title.
	for s, title := range map[string]string{
		report.SheetSummary:    report.DefaultTitle,
		report.SheetReceptions: "Báo cáo kết quả công tác tiếp công dân",
	} {
		for cell, want := range map[string]string{
			"A1": title,
			"A2": "Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 30/06/2026",
			"A3": "Phạm vi: UBND phường Hòa Cường",
			"A4": "Lập lúc: 09:30 ngày 01/07/2026",
		} {
			if v := shown(t, f, s, cell); v != want {
				t.Errorf("%s!%s = %q, want %q", s, cell, v, want)
			}
		}
	}
	s := report.SheetSummary
	headerRow, header := rowWith(t, f, s, 1, "Mã đơn vị")
	if header[2] != "Đơn vị" || header[6] != "Tỷ lệ đúng hạn" || header[9] != "Mức hài lòng bình quân (1–5)" {
		t.Errorf("header = %q", header)
	}

	// A unit's figures: counts, the on-time rate as a number shown as a
	// percentage, the average rating.
	r, hc := rowWith(t, f, s, 1, "ubnd-hc")
	if r != headerRow+1 || hc[0] != "1" || hc[2] != "UBND phường Hòa Cường" {
		t.Errorf("first unit row %d = %q", r, hc)
	}
	for i, want := range []float64{6, 5, 3, 0.6, 3, 3, 10.0 / 3, 2.0 / 3} {
		if got := number(t, hc[3+i]); math.Abs(got-want) > 1e-9 {
			t.Errorf("ubnd-hc column %d = %v, want %v", 3+i, got, want)
		}
	}
	if v := shown(t, f, s, "G"+strconv.Itoa(r)); v != "60.0%" {
		t.Errorf("on-time rate shown as %q", v)
	}
	if v := shown(t, f, s, "J"+strconv.Itoa(r)); v != "3.33" {
		t.Errorf("average rating shown as %q", v)
	}
	// Nothing answered or rated: empty, not 0%.
	_, dc := rowWith(t, f, s, 1, "hc-dc")
	if dc[3] != "2" || dc[6] != "" || dc[7] != "1" || dc[9] != "" {
		t.Errorf("hc-dc = %q", dc)
	}
	_, unrouted := rowWith(t, f, s, 2, "(Chưa phân đơn vị)")
	if unrouted[3] != "1" || unrouted[7] != "1" {
		t.Errorf("unrouted = %q", unrouted)
	}
	// The total comes from the counts, not an average of rates.
	_, total := rowWith(t, f, s, 2, "Tổng cộng")
	for i, want := range []float64{10, 6, 4, 4.0 / 6, 5, 4, 15.0 / 4, 3.0 / 4} {
		if got := number(t, total[3+i]); math.Abs(got-want) > 1e-9 {
			t.Errorf("total column %d = %v, want %v", 3+i, got, want)
		}
	}
	if _, note := rowWith(t, f, s, 0, "Ghi chú:"); note[1] != "" {
		t.Errorf("notes row = %q", note)
	}

	// The tickets.
	tk := report.SheetTickets
	r, first := rowWith(t, f, tk, 1, "PA-2026-000001")
	if r != 2 || first[2] != "Phản ánh" || first[3] != "Hoàn thành" || first[4] != "Môi trường" || first[5] != "Phường Hòa Cường" ||
		first[7] != "UBND phường Hòa Cường" || first[8] != rows[0].Description || first[13] != "5" || first[14] != "Có" || first[15] != "" {
		t.Errorf("first ticket = %q", first)
	}
	for _, c := range first {
		if !norm.NFC.IsNormalString(c) {
			t.Errorf("%q is not NFC", c)
		}
	}
	// Times are date cells in Vietnam time.
	if v := shown(t, f, tk, "J2"); v != "01/01/2026 00:00" {
		t.Errorf("created shown as %q", v)
	}
	if v := shown(t, f, tk, "L2"); v != "10/01/2026 09:30" {
		t.Errorf("answered shown as %q", v)
	}
	if got, want := number(t, raw(t, f, tk, "L2")), excelSerial(rows[0].AnsweredAt.Time); math.Abs(got-want) > 1e-6 {
		t.Errorf("answered serial = %v, want %v", got, want)
	}
	_, second := rowWith(t, f, tk, 1, "PA-2026-000002")
	if second[8] != "(bảo mật)" || second[14] != "Không" || second[15] != "Có" || second[5] != "" {
		t.Errorf("second ticket = %q", second)
	}
	_, third := rowWith(t, f, tk, 1, "PA-2026-000003")
	if third[8] != rows[2].Description || third[10] != "" || third[14] != "" {
		t.Errorf("third ticket = %q", third)
	}
	if f, err := f.GetCellFormula(tk, "I4"); err != nil || f != "" {
		t.Errorf("a description became a formula: %q, %v", f, err)
	}

	checkReceptionSheet(t, f)
}

func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, report.Data{}, report.Meta{From: at(11, 1, 0, 0), To: at(11, 23, 9, 15)}); err != nil {
		t.Fatal(err)
	}
	f := readXLSX(t, buf.Bytes())
	if v := shown(t, f, report.SheetSummary, "A2"); v != "Kỳ báo cáo: từ ngày 01/11/2026 đến 09:15 ngày 23/11/2026" {
		t.Errorf("period = %q", v)
	}
	if v := shown(t, f, report.SheetSummary, "A3"); v != "Phạm vi: Tất cả đơn vị" {
		t.Errorf("scope = %q", v)
	}
	_, total := rowWith(t, f, report.SheetSummary, 2, "Tổng cộng")
	if total[3] != "0" || total[6] != "" {
		t.Errorf("total = %q", total)
	}
	rows, err := f.GetRows(report.SheetTickets)
	if err != nil || len(rows) != 1 {
		t.Fatalf("tickets sheet = %q, %v", rows, err)
	}
	_, total = rowWith(t, f, report.SheetReceptions, 2, "Tổng cộng")
	if total[3] != "0" || total[10] != "0" {
		t.Errorf("receptions total = %q", total)
	}
}

func TestWriteCSV(t *testing.T) {
	rows, _ := sample()
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no byte-order mark: % x", data[:3])
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) || bytes.Count(data, []byte("\r\n")) != 4 {
		t.Errorf("lines do not end in CRLF:\n%q", data)
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	r.FieldsPerRecord = 17
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 || records[0][0] != "Mã phản ánh" || records[0][12] != "Đánh giá (1–5)" {
		t.Fatalf("records = %q", records)
	}
	want := []string{"PA-2026-000001", "Phản ánh", "Hoàn thành", "Môi trường", "Phường Hòa Cường", "ubnd-hc",
		"UBND phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn ra đường Núi Thành", "2026-01-01 00:00",
		"2026-01-15 17:00", "2026-01-10 09:30", "2026-01-11 08:00", "5", "Có", "", "1", "Có"}
	if strings.Join(records[1], "|") != strings.Join(want, "|") {
		t.Errorf("first record = %q\nwant %q", records[1], want)
	}
	if records[2][7] != "(bảo mật)" || records[2][13] != "Không" || records[2][14] != "Có" || records[2][16] != "" {
		t.Errorf("second record = %q", records[2])
	}
	// A citizen's text never becomes a formula.
	if got := records[3][7]; got != "'=HYPERLINK(\"http://x\",\"bấm vào\")" {
		t.Errorf("formula not defused: %q", got)
	}
}

func TestWriteCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, nil); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil || len(records) != 1 {
		t.Fatalf("records = %q, %v", records, err)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-01-31": "2026-01-31", "31/01/2026": "2026-01-31", "1/2/2026": "2026-02-01",
		"29-02-2028": "2028-02-29", " 30.06.2026 ": "2026-06-30",
	} {
		d, err := report.ParseDate(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "2026-02-30", "31/02/2026", "29/02/2026", "1/2/26", "hôm nay", "2026/01/01", "00/01/2026", "1/13/2026"} {
		if d, err := report.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", bad, d)
		}
	}
}

func TestPeriod(t *testing.T) {
	first, _ := workcal.ParseDate("2026-01-01")
	last, _ := workcal.ParseDate("2026-06-30")
	from, to := report.Period(first, last, time.Time{})
	if !from.Equal(at(1, 1, 0, 0)) || !to.Equal(at(7, 1, 0, 0)) {
		t.Errorf("period = %v – %v", from, to)
	}
	// A period reaching into the future ends now.
	now := at(3, 15, 10, 0)
	if _, to := report.Period(first, last, now); !to.Equal(now.Add(time.Microsecond)) {
		t.Errorf("to = %v, want just after now", to)
	}
	if from, to := report.Period(first, last, at(6, 30, 23, 59).AddDate(-1, 0, 0)); !to.Equal(from) {
		t.Errorf("a period wholly in the future = %v – %v, want empty", from, to)
	}
	if got := report.FileName(first, last, report.FormatXLSX); got != "bao-cao-2026-01-01_2026-06-30.xlsx" {
		t.Errorf("file name = %q", got)
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]report.Format{"a.xlsx": report.FormatXLSX, "b/C.CSV": report.FormatCSV} {
		if got, err := report.FormatOf(name); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %q, %v", name, got, err)
		}
	}
	for _, bad := range []string{"a.xls", "a", "a.pdf"} {
		if _, err := report.FormatOf(bad); err == nil {
			t.Errorf("FormatOf(%q) accepted", bad)
		}
	}
}

// unzipped concatenates every part of an XLSX, so a test can look for text
// anywhere in the file.
func unzipped(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(&b, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	return b.String()
}

// The definitions under the summary say what the figures count: rejected
// tickets are not overdue, and a clock paused for the citizen before the
// deadline neither makes a ticket overdue nor its answer late.
func TestNotesDefineTheFigures(t *testing.T) {
	rows, summary := sample()
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, report.Data{Rows: rows, Summary: summary}, report.Meta{From: at(1, 1, 0, 0), To: at(7, 1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	f := readXLSX(t, buf.Bytes())
	all, err := f.GetRows(report.SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	note := func(prefix string) string {
		for _, r := range all {
			if len(r) > 0 && strings.HasPrefix(r[0], prefix) {
				return r[0]
			}
		}
		t.Fatalf("no note %q", prefix)
		return ""
	}
	overdue := note("• Quá hạn:")
	if strings.Contains(overdue, "chưa hoàn thành hoặc không tiếp nhận") {
		t.Errorf("the overdue note counts rejected tickets in: %q", overdue)
	}
	for _, want := range []string{"không tiếp nhận", "tạm dừng tính hạn"} {
		if !strings.Contains(overdue, want) {
			t.Errorf("the overdue note does not mention %q: %q", want, overdue)
		}
	}
	if onTime := note("• Tỷ lệ đúng hạn:"); !strings.Contains(onTime, "tạm dừng tính hạn") {
		t.Errorf("the on-time note does not mention the paused clock: %q", onTime)
	}
}

// checkReceptionSheet checks the citizen reception sheet of the round
// trip: the summary's unit layout, the figures as numbers, a total row and
// the definitions (the heading is checked with the summary's).
func checkReceptionSheet(t *testing.T, f *excelize.File) {
	t.Helper()
	s := report.SheetReceptions
	headerRow, header := rowWith(t, f, s, 1, "Mã đơn vị")
	wantHeader := []string{"STT", "Mã đơn vị", "Đơn vị", "Lượt đăng ký", "Đã tiếp", "Vắng mặt", "Từ chối tiếp",
		"Hoãn tiếp", "Chờ tiếp", "Đã trả lời sau tiếp", "Trả lời đúng hạn"}
	if got := strings.Join(header[:len(wantHeader)], "|"); got != strings.Join(wantHeader, "|") || header[len(wantHeader)] != "" {
		t.Errorf("header = %q", header)
	}
	for _, h := range header {
		if !norm.NFC.IsNormalString(h) {
			t.Errorf("header %q is not NFC", h)
		}
	}
	// The units in order, right under the header, numbered; figures are
	// numbers, and a unit without bookings has zeros.
	for i, u := range sampleReceptions() {
		r, got := rowWith(t, f, s, 1, u.UnitCode)
		if r != headerRow+1+i || got[0] != strconv.Itoa(i+1) || got[2] != u.UnitName {
			t.Errorf("unit %s at row %d = %q", u.UnitCode, r, got)
		}
		want := []int{u.Booked, u.Received, u.Absent, u.Refused, u.CalledOff, u.Awaited, u.Answered, u.AnsweredOnTime}
		for j, w := range want {
			if got := number(t, got[3+j]); got != float64(w) {
				t.Errorf("%s column %d = %v, want %d", u.UnitCode, 3+j, got, w)
			}
		}
	}
	_, hc := rowWith(t, f, s, 1, "ubnd-hc")
	if hc[3] != "12" || hc[4] != "6" || hc[9] != "5" || hc[10] != "4" {
		t.Errorf("ubnd-hc = %q", hc)
	}
	// Indented by depth below the scope's top, as on the summary.
	for code, indent := range map[string]int{"ubnd-hc": 0, "hc-dc": 1} {
		r, _ := rowWith(t, f, s, 1, code)
		id, err := f.GetCellStyle(s, "C"+strconv.Itoa(r))
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		if style.Alignment != nil {
			got = style.Alignment.Indent
		}
		if got != indent {
			t.Errorf("%s indent = %d, want %d", code, got, indent)
		}
	}
	_, total := rowWith(t, f, s, 2, "Tổng cộng")
	for i, want := range []float64{15, 8, 2, 1, 2, 2, 6, 4} {
		if got := number(t, total[3+i]); got != want {
			t.Errorf("total column %d = %v, want %v", 3+i, got, want)
		}
	}
	if _, note := rowWith(t, f, s, 0, "Ghi chú:"); note[1] != "" {
		t.Errorf("notes row = %q", note)
	}
}

// A sheet holds at most 1,048,576 rows, and a large province's yearly
// export can list more tickets: WriteXLSX then fails with ErrTooManyRows
// (which points at CSV, and which /report turns into "too large"), where
// excelize would panic.
func TestXLSXRefusesMoreTicketsThanASheetHolds(t *testing.T) {
	// 1,048,576 tickets: one more than the rows below the header row.
	rows := make([]storage.ReportRow, 1<<20)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, zone)
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return report.WriteXLSX(io.Discard, report.Data{Rows: rows}, report.Meta{From: from, To: from.AddDate(1, 0, 0)})
	}()
	if !errors.Is(err, report.ErrTooManyRows) {
		t.Fatalf("WriteXLSX of %d tickets: %v, want ErrTooManyRows", len(rows), err)
	}
}
