// Package report writes the reports leaders use for interim and annual
// reviews (sơ kết, tổng kết): an XLSX workbook with a per-unit summary,
// the list of tickets and the per-unit citizen reception figures (tiếp
// công dân), or the tickets as CSV. The figures and their definitions
// come from storage.ReportSummary, storage.ReportTickets and
// storage.ReportReceptions; the reports carry no personal data.
//
// Texts in the files are Vietnamese; times are shown in Vietnam
// (Asia/Ho_Chi_Minh).
package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Format is a report file format.
type Format string

// Formats.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
)

// FormatOf picks the format from a file name's extension.
func FormatOf(name string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))); f {
	case FormatXLSX, FormatCSV:
		return f, nil
	}
	return "", fmt.Errorf("report: %q: the file name must end in .xlsx or .csv", name)
}

// Meta describes a report for its heading.
type Meta struct {
	Title     string    // "" means DefaultTitle
	Scope     string    // whose tickets; "" means AllUnits
	From, To  time.Time // the period [From, To)
	Generated time.Time // when the report was made; zero: not shown
}

// Heading texts.
const (
	DefaultTitle   = "Báo cáo tình hình tiếp nhận, xử lý phản ánh, kiến nghị"
	ReceptionTitle = "Báo cáo kết quả công tác tiếp công dân" // the heading of its sheet
	AllUnits       = "Tất cả đơn vị"
)

// Data is what a report shows.
type Data struct {
	Rows       []storage.ReportRow
	Summary    []storage.UnitSummary
	Receptions []storage.UnitReceptions // XLSX only
}

// Total is the figures of all the units together.
func (d Data) Total() storage.UnitSummary { return storage.TotalSummary(d.Summary) }

// Load reads a report's data to write in a format: the tickets created
// in [from, to), the per-unit figures and the per-unit citizen reception
// figures of the reception days in the period, for the given units (nil:
// all). An XLSX report of more tickets than a sheet holds is refused
// (ErrTooManyRows) from their count, before any is read: a year of a
// whole province would be held in memory only to be refused.
func Load(ctx context.Context, store *storage.Store, format Format, unitIDs []int64, from, to time.Time) (Data, error) {
	if format == FormatXLSX {
		n, err := store.CountReportTickets(ctx, unitIDs, from, to)
		if err != nil {
			return Data{}, err
		}
		if err := fitXLSX(n); err != nil {
			return Data{}, err
		}
	}
	summary, err := store.ReportSummary(ctx, unitIDs, from, to)
	if err != nil {
		return Data{}, err
	}
	rows, err := store.ReportTickets(ctx, unitIDs, from, to)
	if err != nil {
		return Data{}, err
	}
	receptions, err := store.ReportReceptions(ctx, unitIDs, from, to)
	if err != nil {
		return Data{}, err
	}
	return Data{Rows: rows, Summary: summary, Receptions: receptions}, nil
}

// Write writes the data in a format: XLSX with all its sheets, or the
// tickets as CSV.
func (d Data) Write(w io.Writer, format Format, meta Meta) error {
	switch format {
	case FormatXLSX:
		return WriteXLSX(w, d, meta)
	case FormatCSV:
		return WriteCSV(w, d.Rows)
	}
	return fmt.Errorf("report: unknown format %q", format)
}

// Period turns inclusive dates in Vietnam into the instants [from, to).
// The end is brought back to now when it lies in the future, so that
// "overdue" means overdue by now and not by a day that has not come yet;
// what happened at now itself is in (to is now plus one microsecond, the
// database's resolution). A zero now leaves the end alone.
func Period(first, last workcal.Date, now time.Time) (from, to time.Time) {
	from, to = first.Start(), last.AddDays(1).Start()
	if asOf := now.Add(time.Microsecond); !now.IsZero() && asOf.Before(to) {
		to = asOf
	}
	if to.Before(from) {
		to = from
	}
	return from, to
}

// ErrDate is returned by ParseDate.
var ErrDate = errors.New("report: not a date")

// ParseDate reads a date as people type it: 2026-01-31, 31/01/2026 or
// 31/1/2026 (also with dashes or dots: 31-01-2026, 31.01.2026).
func ParseDate(s string) (workcal.Date, error) {
	s = strings.TrimSpace(s)
	if d, err := workcal.ParseDate(s); err == nil {
		return d, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return workcal.Date{}, fmt.Errorf("%w: %q", ErrDate, s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || len(p) > 4 {
			return workcal.Date{}, fmt.Errorf("%w: %q", ErrDate, s)
		}
		n[i] = v
	}
	d := workcal.Date{Year: n[2], Month: time.Month(n[1]), Day: n[0]}
	if !d.IsValid() {
		return workcal.Date{}, fmt.Errorf("%w: %q", ErrDate, s)
	}
	return d, nil
}

// SubtreeScope names the scope of a unit's subtree of size units for
// Meta.Scope.
func SubtreeScope(unitName string, size int) string {
	if size > 1 {
		return unitName + " và các đơn vị trực thuộc"
	}
	return unitName
}

// FileName names a report file for inclusive dates:
// bao-cao-2026-01-01_2026-06-30.xlsx.
func FileName(first, last workcal.Date, format Format) string {
	return fmt.Sprintf("bao-cao-%s_%s.%s", first, last, format)
}

var zone = workcal.Location()

// PeriodText describes [from, to) in Vietnamese: "từ ngày 01/01/2026 đến
// ngày 30/06/2026", or "… đến 09:30 ngày 23/11/2026" when the period ends
// within a day.
func PeriodText(from, to time.Time) string {
	start := "từ ngày " + from.In(zone).Format("02/01/2006")
	if workcal.DateOf(to).Start().Equal(to) {
		return start + " đến ngày " + to.Add(-time.Nanosecond).In(zone).Format("02/01/2006")
	}
	t := to.In(zone)
	return start + " đến " + t.Format("15:04") + " ngày " + t.Format("02/01/2006")
}

// Labels of kinds and statuses, as the bot shows them.
var (
	kindLabels = map[string]string{
		"phan_anh":  "Phản ánh",
		"kien_nghi": "Kiến nghị",
		"gop_y":     "Góp ý",
		"hoi_dap":   "Hỏi đáp",
		"khieu_nai": "Khiếu nại",
		"to_cao":    "Tố cáo",
		"tiep_dan":  "Tiếp công dân",
	}
	statusLabels = map[string]string{
		storage.StatusReceived:     "Đã tiếp nhận",
		storage.StatusAccepted:     "Đã thụ lý",
		storage.StatusInProgress:   "Đang xử lý",
		storage.StatusAwaitingInfo: "Chờ bổ sung thông tin",
		storage.StatusTransferred:  "Đã chuyển đơn vị xử lý",
		storage.StatusAnswered:     "Đã trả lời",
		storage.StatusCompleted:    "Hoàn thành",
		storage.StatusRejected:     "Không tiếp nhận",
		storage.StatusReopened:     "Đã mở lại",
		storage.StatusMerged:       "Đã gộp vào phản ánh cùng nội dung",
	}
)

func label(labels map[string]string, key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

// Yes/no texts of the on-time and overdue columns.
const (
	yes = "Có"
	no  = "Không"
)

// ticketHeaders are the columns of the ticket list, in both formats.
var ticketHeaders = []string{
	"Mã phản ánh", "Loại", "Trạng thái", "Lĩnh vực", "Khu vực", "Mã đơn vị", "Đơn vị xử lý", "Nội dung",
	"Thời điểm tiếp nhận", "Hạn xử lý", "Thời điểm trả lời", "Thời điểm kết thúc", "Đánh giá (1–5)",
	"Đúng hạn", "Quá hạn", "Số lần gia hạn", "Khẩn cấp",
}

// unroutedName names the row of tickets without a unit.
const unroutedName = "(Chưa phân đơn vị)"

// notes explain the figures under the summary.
var notes = []string{
	"Ghi chú:",
	"• Tiếp nhận: số phản ánh, kiến nghị gửi đến trong kỳ.",
	"• Đã trả lời: số phản ánh được trả lời trong kỳ, kể cả phản ánh gửi đến từ kỳ trước.",
	"• Tỷ lệ đúng hạn: tỷ lệ phản ánh đã trả lời trong kỳ được trả lời không muộn hơn hạn xử lý; phản ánh không có hạn xử lý, hoặc được trả lời khi đang tạm dừng tính hạn để chờ người dân bổ sung thông tin từ trước khi đến hạn, được tính là đúng hạn. Hạn xử lý đã gồm thời gian lãnh đạo đơn vị gia hạn (cột «Số lần gia hạn» ở trang danh sách).",
	"• Quá hạn: số phản ánh gửi đến trước thời điểm cuối kỳ, đến nay vẫn chưa được trả lời (không tính phản ánh đã hoàn thành, không tiếp nhận hoặc đã gộp vào phản ánh cùng nội dung) và đã quá hạn xử lý tại thời điểm cuối kỳ; phản ánh đang tạm dừng tính hạn để chờ người dân bổ sung thông tin từ trước khi đến hạn thì không tính là quá hạn.",
	"• Mức hài lòng bình quân: điểm đánh giá trung bình (thang 1–5) của các phản ánh gửi đến trong kỳ đã được người dân đánh giá; tỷ lệ hài lòng: tỷ lệ đánh giá từ «Chấp nhận được» trở lên (3–5 điểm).",
	"• Số liệu tính cho đơn vị đang giữ phản ánh: phản ánh đã chuyển được tính cho đơn vị nhận.",
	"• Thời gian theo giờ Việt Nam (UTC+7). Báo cáo không chứa thông tin cá nhân của người gửi; nội dung phản ánh được yêu cầu giữ bí mật được ẩn.",
}

// receptionNotes explain the figures under the citizen reception sheet.
var receptionNotes = []string{
	"Ghi chú:",
	"• Số liệu tính theo các lượt người dân đăng ký tiếp công dân qua hệ thống cho các ngày tiếp trong kỳ (Luật Tiếp công dân 2013); kỳ báo cáo kết thúc trong ngày thì tính cả ngày đó.",
	"• Lượt đăng ký: mọi lượt đăng ký cho các ngày đó, trừ lượt người dân tự hủy; bằng tổng của đã tiếp, vắng mặt, từ chối tiếp, hoãn tiếp và chờ tiếp.",
	"• Vắng mặt: người dân không đến; từ chối tiếp: từ chối theo Điều 9 Luật Tiếp công dân, có thông báo lý do; hoãn tiếp: buổi tiếp bị đơn vị hoãn; chờ tiếp: chưa đến buổi tiếp hoặc chưa ghi nhận kết quả.",
	"• Đã trả lời sau tiếp: số nội dung người dân trình bày tại các lượt đã tiếp đã được trả lời trước thời điểm cuối kỳ (thời hạn theo Điều 28 Luật Tiếp công dân); trả lời đúng hạn tính như ở trang «Tổng hợp».",
	"• Số liệu tính cho đơn vị tổ chức buổi tiếp, kể cả khi nội dung sau buổi tiếp đã được chuyển đơn vị khác xử lý.",
	"• Báo cáo không chứa thông tin cá nhân của người dân.",
}
