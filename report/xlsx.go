package report

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/danvan-vn/danvan/storage"
)

// maxXLSXTickets is how many tickets the sheet "Phản ánh" holds: a sheet's
// rows, less the header. A variable only so that this package's tests can
// lower it (export_test.go) instead of making a million tickets.
var maxXLSXTickets = excelize.TotalRows - 1

// ErrTooManyRows is what Load and WriteXLSX refuse more tickets than a
// sheet holds with, as a *TooManyRowsError; a CSV file has no such limit.
var ErrTooManyRows = errors.New("report: more tickets than an XLSX sheet holds (write a .csv file instead)")

// TooManyRowsError is ErrTooManyRows for a number of tickets.
type TooManyRowsError struct{ Tickets int }

func (e *TooManyRowsError) Error() string {
	return fmt.Sprintf("%v: %d tickets, a sheet holds %d", ErrTooManyRows, e.Tickets, maxXLSXTickets)
}

// Is makes errors.Is(err, ErrTooManyRows) hold.
func (e *TooManyRowsError) Is(target error) bool { return target == ErrTooManyRows }

// fitXLSX refuses more tickets than a sheet holds.
func fitXLSX(tickets int) error {
	if tickets > maxXLSXTickets {
		return &TooManyRowsError{Tickets: tickets}
	}
	return nil
}

// Sheet names.
const (
	SheetSummary    = "Tổng hợp"
	SheetTickets    = "Phản ánh"
	SheetReceptions = "Tiếp công dân"
)

// summaryHeaders are the columns of the summary sheet.
var summaryHeaders = []string{
	"STT", "Mã đơn vị", "Đơn vị", "Tiếp nhận", "Đã trả lời", "Trả lời đúng hạn", "Tỷ lệ đúng hạn",
	"Quá hạn", "Lượt đánh giá", "Mức hài lòng bình quân (1–5)", "Tỷ lệ hài lòng",
}

var summaryWidths = []float64{6, 16, 42, 11, 11, 11, 11, 10, 11, 16, 11}

// receptionHeaders are the columns of the citizen reception sheet.
var receptionHeaders = []string{
	"STT", "Mã đơn vị", "Đơn vị", "Lượt đăng ký", "Đã tiếp", "Vắng mặt", "Từ chối tiếp", "Hoãn tiếp",
	"Chờ tiếp", "Đã trả lời sau tiếp", "Trả lời đúng hạn",
}

var receptionWidths = []float64{6, 16, 42, 11, 11, 11, 11, 11, 11, 13, 11}

// ticketWidths go with ticketHeaders, after the STT column.
var ticketWidths = []float64{6, 17, 11, 20, 22, 22, 16, 32, 60, 17, 17, 17, 17, 10, 9, 9, 10, 9}

// border is the thin grey grid of the tables.
var border = []excelize.Border{
	{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
	{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
}

// Excel refuses cells longer than this.
const maxCellChars = 32767

// styles are the workbook's cell styles.
type styles struct {
	f                          *excelize.File
	title, header, text, count int
	date, percent, average     int
	totalText, totalCount      int
	totalPercent, totalAverage int
	note                       int
	indents                    map[int]int
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, indents: map[int]int{}}
	dateFmt, percentFmt, averageFmt, countFmt := "dd/mm/yyyy hh:mm", "0.0%", "0.00", "#,##0"
	totalFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
	bold := &excelize.Font{Bold: true}
	defs := []struct {
		id    *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.header, excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
			Border:    border,
		}},
		{&s.text, excelize.Style{Border: border}},
		{&s.count, excelize.Style{Border: border, CustomNumFmt: &countFmt}},
		{&s.date, excelize.Style{Border: border, CustomNumFmt: &dateFmt}},
		{&s.percent, excelize.Style{Border: border, CustomNumFmt: &percentFmt}},
		{&s.average, excelize.Style{Border: border, CustomNumFmt: &averageFmt}},
		{&s.totalText, excelize.Style{Border: border, Font: bold, Fill: totalFill}},
		{&s.totalCount, excelize.Style{Border: border, Font: bold, Fill: totalFill, CustomNumFmt: &countFmt}},
		{&s.totalPercent, excelize.Style{Border: border, Font: bold, Fill: totalFill, CustomNumFmt: &percentFmt}},
		{&s.totalAverage, excelize.Style{Border: border, Font: bold, Fill: totalFill, CustomNumFmt: &averageFmt}},
		{&s.note, excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return nil, fmt.Errorf("report: style: %w", err)
		}
		*d.id = id
	}
	return s, nil
}

// unitName is the style of a unit's name, indented by its depth.
func (s *styles) unitName(depth int) (int, error) {
	if depth <= 0 {
		return s.text, nil
	}
	depth = min(depth, 15) // Excel's limit
	if id, ok := s.indents[depth]; ok {
		return id, nil
	}
	id, err := s.f.NewStyle(&excelize.Style{
		Border:    border,
		Alignment: &excelize.Alignment{Horizontal: "left", Indent: depth},
	})
	if err != nil {
		return 0, fmt.Errorf("report: style: %w", err)
	}
	s.indents[depth] = id
	return id, nil
}

// WriteXLSX writes the workbook: the sheet "Tổng hợp" with the per-unit
// summary, a total row and the definitions, the sheet "Phản ánh" with
// one row per ticket, then the sheet "Tiếp công dân" with the per-unit
// citizen reception figures, laid out as the summary. Times are date
// cells in Vietnam time, rates are numbers formatted as percentages.
func WriteXLSX(w io.Writer, d Data, meta Meta) error {
	if err := fitXLSX(len(d.Rows)); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), SheetSummary); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeSummary(f, st, d.Summary, meta); err != nil {
		return fmt.Errorf("report: summary sheet: %w", err)
	}
	if _, err := f.NewSheet(SheetTickets); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeTickets(f, st, d.Rows); err != nil {
		return fmt.Errorf("report: tickets sheet: %w", err)
	}
	if _, err := f.NewSheet(SheetReceptions); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeReceptions(f, st, d.Receptions, meta); err != nil {
		return fmt.Errorf("report: receptions sheet: %w", err)
	}
	f.SetActiveSheet(0)
	title := meta.Title
	if title == "" {
		title = DefaultTitle
	}
	props := &excelize.DocProperties{Title: title, Creator: "danvan", Language: "vi-VN"}
	if !meta.Generated.IsZero() {
		props.Created = meta.Generated.UTC().Format(time.RFC3339)
	}
	if err := f.SetDocProps(props); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	return nil
}

// printLandscape sets a sheet up to print on A4 landscape, as wide as one
// page. A stream writer keeps what is set before it is created; after its
// Flush, changes to the sheet are lost.
func printLandscape(f *excelize.File, sheet string) error {
	a4, landscape, wide, tall, fit := 9, "landscape", 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// unitTable is a sheet of per-unit figures: a heading, a row per unit,
// its name indented by its depth in the organisation, a total row and the
// definitions under it.
type unitTable struct {
	sheet, title string
	headers      []string // from "STT", "Mã đơn vị", "Đơn vị" on
	widths       []float64
	units        []unitRow
	total        []any // the total row's figure cells
	notes        []string
}

// unitRow is a unit's row of a unitTable; ID 0 is the row of tickets not
// routed to any unit.
type unitRow struct {
	id         int64
	code, name string
	depth      int
	figures    []any
}

func writeSummary(f *excelize.File, st *styles, summary []storage.UnitSummary, meta Meta) error {
	title := meta.Title
	if title == "" {
		title = DefaultTitle
	}
	units := make([]unitRow, len(summary))
	for i, u := range summary {
		units[i] = unitRow{u.UnitID, u.UnitCode, u.UnitName, u.Depth, figureCells(u, st.count, st.percent, st.average)}
	}
	return writeUnitTable(f, st, unitTable{
		sheet: SheetSummary, title: title, headers: summaryHeaders, widths: summaryWidths, units: units,
		total: figureCells(storage.TotalSummary(summary), st.totalCount, st.totalPercent, st.totalAverage), notes: notes,
	}, meta)
}

func writeUnitTable(f *excelize.File, st *styles, t unitTable, meta Meta) error {
	if err := printLandscape(f, t.sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(t.sheet)
	if err != nil {
		return err
	}
	for i, width := range t.widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	scope := meta.Scope
	if scope == "" {
		scope = AllUnits
	}
	heading := []string{
		"Kỳ báo cáo: " + PeriodText(meta.From, meta.To),
		"Phạm vi: " + scope,
	}
	if !meta.Generated.IsZero() {
		at := meta.Generated.In(zone)
		heading = append(heading, "Lập lúc: "+at.Format("15:04")+" ngày "+at.Format("02/01/2006"))
	}
	headerRow := len(heading) + 3 // the title, the heading lines, a blank row
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headerRow, TopLeftCell: cell(1, headerRow+1), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}

	row := 1
	if err := sw.SetRow(cell(1, row), []any{excelize.Cell{StyleID: st.title, Value: t.title}}, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.MergeCell(cell(1, row), cell(len(t.headers), row)); err != nil {
		return err
	}
	for _, line := range heading {
		row++
		if err := sw.SetRow(cell(1, row), []any{line}); err != nil {
			return err
		}
	}
	row = headerRow
	header := make([]any, len(t.headers))
	for i, h := range t.headers {
		header[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow(cell(1, row), header, excelize.RowOpts{Height: 45}); err != nil {
		return err
	}

	minDepth := 0
	for i, u := range t.units {
		if i == 0 || u.depth < minDepth {
			minDepth = u.depth
		}
	}
	for i, u := range t.units {
		name := u.name
		if u.id == 0 {
			name = unroutedName
		}
		nameStyle, err := st.unitName(u.depth - minDepth)
		if err != nil {
			return err
		}
		values := append([]any{
			excelize.Cell{StyleID: st.count, Value: i + 1},
			excelize.Cell{StyleID: st.text, Value: u.code},
			excelize.Cell{StyleID: nameStyle, Value: name},
		}, u.figures...)
		row++
		if err := sw.SetRow(cell(1, row), values); err != nil {
			return err
		}
	}
	row++
	values := append([]any{
		excelize.Cell{StyleID: st.totalText},
		excelize.Cell{StyleID: st.totalText},
		excelize.Cell{StyleID: st.totalText, Value: "Tổng cộng"},
	}, t.total...)
	if err := sw.SetRow(cell(1, row), values); err != nil {
		return err
	}

	row++
	for _, line := range t.notes {
		row++
		if err := sw.SetRow(cell(1, row), []any{excelize.Cell{StyleID: st.note, Value: line}}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// writeReceptions writes the citizen reception sheet (tiếp công dân).
func writeReceptions(f *excelize.File, st *styles, receptions []storage.UnitReceptions, meta Meta) error {
	units := make([]unitRow, len(receptions))
	for i, u := range receptions {
		units[i] = unitRow{u.UnitID, u.UnitCode, u.UnitName, u.Depth, receptionCells(u, st.count)}
	}
	return writeUnitTable(f, st, unitTable{
		sheet: SheetReceptions, title: ReceptionTitle, headers: receptionHeaders, widths: receptionWidths, units: units,
		total: receptionCells(storage.TotalReceptions(receptions), st.totalCount), notes: receptionNotes,
	}, meta)
}

// receptionCells are a unit's reception figures from "Lượt đăng ký" on.
func receptionCells(u storage.UnitReceptions, count int) []any {
	cells := make([]any, 0, 8)
	for _, n := range []int{u.Booked, u.Received, u.Absent, u.Refused, u.CalledOff, u.Awaited, u.Answered, u.AnsweredOnTime} {
		cells = append(cells, excelize.Cell{StyleID: count, Value: n})
	}
	return cells
}

// figureCells are a unit's figures from "Tiếp nhận" on; a rate without a
// base (nothing answered, nothing rated) is an empty cell, not 0%.
func figureCells(u storage.UnitSummary, count, percent, average int) []any {
	rate := func(v float64, ok bool, style int) any {
		if !ok {
			return excelize.Cell{StyleID: style}
		}
		return excelize.Cell{StyleID: style, Value: v}
	}
	onTime, okOnTime := u.OnTimeRate()
	avg, okAvg := u.AverageRating()
	satisfied, okSatisfied := u.SatisfactionRate()
	return []any{
		excelize.Cell{StyleID: count, Value: u.Received},
		excelize.Cell{StyleID: count, Value: u.Answered},
		excelize.Cell{StyleID: count, Value: u.AnsweredOnTime},
		rate(onTime, okOnTime, percent),
		excelize.Cell{StyleID: count, Value: u.Overdue},
		excelize.Cell{StyleID: count, Value: u.Rated},
		rate(avg, okAvg, average),
		rate(satisfied, okSatisfied, percent),
	}
}

func writeTickets(f *excelize.File, st *styles, rows []storage.ReportRow) error {
	// The filter buttons on the header, and the header on every printed
	// page. The number of rows is known, so the filter's range is set
	// before streaming (see printLandscape).
	filter := "A1:" + cell(len(ticketHeaders)+1, max(len(rows)+1, 2))
	if err := f.AutoFilter(SheetTickets, filter, nil); err != nil {
		return err
	}
	if err := printLandscape(f, SheetTickets); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: "'" + SheetTickets + "'!$1:$1", Scope: SheetTickets,
	}); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetTickets)
	if err != nil {
		return err
	}
	for i, width := range ticketWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, 0, len(ticketHeaders)+1)
	header = append(header, excelize.Cell{StyleID: st.header, Value: "STT"})
	for _, h := range ticketHeaders {
		header = append(header, excelize.Cell{StyleID: st.header, Value: h})
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	text := func(s string) excelize.Cell {
		if len(s) > maxCellChars { // bytes ≥ characters: cut only when it may matter
			if r := []rune(s); len(r) > maxCellChars {
				s = string(r[:maxCellChars-1]) + "…"
			}
		}
		return excelize.Cell{StyleID: st.text, Value: s}
	}
	date := func(t time.Time, valid bool) excelize.Cell {
		if !valid {
			return excelize.Cell{StyleID: st.date}
		}
		// To the minute the sheet shows: a spreadsheet rounds a time to
		// its own precision, and the end of a deadline's last day
		// (23:59:59.999999) would read as midnight of the next.
		return excelize.Cell{StyleID: st.date, Value: t.In(zone).Truncate(time.Minute)}
	}
	values := make([]any, len(header))
	for i, r := range rows {
		rating := excelize.Cell{StyleID: st.count}
		if r.Rating.Valid {
			rating.Value = int(r.Rating.Int16)
		}
		values = values[:0]
		values = append(values,
			excelize.Cell{StyleID: st.count, Value: i + 1},
			text(r.Code),
			text(label(kindLabels, r.Kind)),
			text(label(statusLabels, r.Status)),
			text(r.Category),
			text(r.Area),
			text(r.UnitCode),
			text(r.UnitName),
			text(r.Description),
			date(r.CreatedAt, true),
			date(r.DueAt.Time, r.DueAt.Valid),
			date(r.AnsweredAt.Time, r.AnsweredAt.Valid),
			date(r.ClosedAt.Time, r.ClosedAt.Valid),
			rating,
			text(onTimeText(r)),
			text(overdueText(r)),
			excelize.Cell{StyleID: st.count, Value: r.Extensions},
			text(urgentText(r)),
		)
		if err := sw.SetRow(cell(1, i+2), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func onTimeText(r storage.ReportRow) string {
	switch {
	case !r.OnTime.Valid:
		return ""
	case r.OnTime.Bool:
		return yes
	}
	return no
}

// urgentText marks the tickets urgent when the report was made.
func urgentText(r storage.ReportRow) string {
	if r.Urgent {
		return yes
	}
	return ""
}

func overdueText(r storage.ReportRow) string {
	if r.Overdue {
		return yes
	}
	return ""
}

func cell(col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err) // columns and rows here are always in range
	}
	return name
}
