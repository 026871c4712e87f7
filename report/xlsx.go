package report

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/danvan-vn/danvan/storage"
)

// Sheet names.
const (
	SheetSummary = "Tổng hợp"
	SheetTickets = "Phản ánh"
)

// summaryHeaders are the columns of the summary sheet.
var summaryHeaders = []string{
	"STT", "Mã đơn vị", "Đơn vị", "Tiếp nhận", "Đã trả lời", "Trả lời đúng hạn", "Tỷ lệ đúng hạn",
	"Quá hạn", "Lượt đánh giá", "Mức hài lòng bình quân (1–5)", "Tỷ lệ hài lòng",
}

var summaryWidths = []float64{6, 16, 42, 11, 11, 11, 11, 10, 11, 16, 11}

// ticketWidths go with ticketHeaders, after the STT column.
var ticketWidths = []float64{6, 17, 11, 20, 22, 22, 16, 32, 60, 17, 17, 17, 17, 10, 9, 9}

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
// summary, a total row and the definitions, then the sheet "Phản ánh" with
// one row per ticket. Times are date cells in Vietnam time, rates are
// numbers formatted as percentages.
func WriteXLSX(w io.Writer, rows []storage.ReportRow, summary []storage.UnitSummary, meta Meta) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), SheetSummary); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeSummary(f, st, summary, meta); err != nil {
		return fmt.Errorf("report: summary sheet: %w", err)
	}
	if _, err := f.NewSheet(SheetTickets); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeTickets(f, st, rows); err != nil {
		return fmt.Errorf("report: tickets sheet: %w", err)
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

func writeSummary(f *excelize.File, st *styles, summary []storage.UnitSummary, meta Meta) error {
	if err := printLandscape(f, SheetSummary); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	for i, width := range summaryWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	title, scope := meta.Title, meta.Scope
	if title == "" {
		title = DefaultTitle
	}
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
	if err := sw.SetRow(cell(1, row), []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.MergeCell(cell(1, row), cell(len(summaryHeaders), row)); err != nil {
		return err
	}
	for _, line := range heading {
		row++
		if err := sw.SetRow(cell(1, row), []any{line}); err != nil {
			return err
		}
	}
	row = headerRow
	header := make([]any, len(summaryHeaders))
	for i, h := range summaryHeaders {
		header[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow(cell(1, row), header, excelize.RowOpts{Height: 45}); err != nil {
		return err
	}

	minDepth := 0
	for i, u := range summary {
		if i == 0 || u.Depth < minDepth {
			minDepth = u.Depth
		}
	}
	for i, u := range summary {
		name, code := u.UnitName, u.UnitCode
		if u.UnitID == 0 {
			name = unroutedName
		}
		nameStyle, err := st.unitName(u.Depth - minDepth)
		if err != nil {
			return err
		}
		values := append([]any{
			excelize.Cell{StyleID: st.count, Value: i + 1},
			excelize.Cell{StyleID: st.text, Value: code},
			excelize.Cell{StyleID: nameStyle, Value: name},
		}, figureCells(u, st.count, st.percent, st.average)...)
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
	}, figureCells(storage.TotalSummary(summary), st.totalCount, st.totalPercent, st.totalAverage)...)
	if err := sw.SetRow(cell(1, row), values); err != nil {
		return err
	}

	row++
	for _, line := range notes {
		row++
		if err := sw.SetRow(cell(1, row), []any{excelize.Cell{StyleID: st.note, Value: line}}); err != nil {
			return err
		}
	}
	return sw.Flush()
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
		return excelize.Cell{StyleID: st.date, Value: t.In(zone)}
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
