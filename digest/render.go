package digest

import (
	"fmt"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// lang holds a language's wording and number format. Vietnamese follows
// the glossary (docs/glossary.md §8, §11).
type lang struct {
	numbers
	title, week, legend                                        string
	handling, fresh, urgent, answered, onTime, median, overdue string
	reopened, satisfaction, satisfied, average, ratings        string
	categories, areas, hotSpots, hotSpotRule, hotSpotLine      string
	moreHotSpots                                               string
	oldest, oldestLine, noneOverdue, none, unchanged, before   string
	openCard                                                   string
	day, hour, minute, underMinute                             string
	chartTitle, chartCount, chartWeek                          string
}

var vi = &lang{
	numbers:      viNumbers,
	title:        "BẢN TIN TUẦN",
	week:         "Tuần từ %s đến %s",
	legend:       "▲/▼: tăng/giảm so với tuần trước",
	handling:     "Tiếp nhận và trả lời",
	fresh:        "Phản ánh mới",
	urgent:       "Trong đó khẩn cấp",
	answered:     "Đã trả lời",
	onTime:       "Tỷ lệ đúng hạn",
	median:       "Thời gian trả lời (trung vị)",
	overdue:      "Quá hạn (cuối tuần)",
	reopened:     "Bị mở lại",
	satisfaction: "Mức độ hài lòng",
	satisfied:    "Tỷ lệ hài lòng",
	average:      "Điểm trung bình",
	ratings:      "%s lượt đánh giá",
	categories:   "Lĩnh vực nhiều phản ánh nhất",
	areas:        "Địa bàn nhiều phản ánh nhất",
	hotSpots:     "Điểm nóng",
	hotSpotRule:  "Từ 3 phản ánh trong tuần và gấp đôi trở lên mức trung bình 4 tuần trước",
	hotSpotLine:  "%s – %s: %s phản ánh (trung bình 4 tuần trước: %s/tuần)",
	moreHotSpots: "… và %s điểm nóng khác",
	oldest:       "Quá hạn lâu nhất",
	oldestLine:   "%s – %s – quá hạn %s ngày",
	noneOverdue:  "Không có phản ánh quá hạn.",
	openCard:     "Bấm vào mã phản ánh bên dưới để xem chi tiết.",
	none:         "chưa có",
	unchanged:    "không đổi",
	before:       "tuần trước",
	day:          "ngày",
	hour:         "giờ",
	minute:       "phút",
	underMinute:  "dưới 1 phút",
	chartTitle:   "Phản ánh %d tuần gần nhất",
	chartCount:   "Số phản ánh",
	chartWeek:    "Tuần bắt đầu từ ngày",
}

var en = &lang{
	numbers:      enNumbers,
	title:        "WEEKLY DIGEST",
	week:         "Week from %s to %s",
	legend:       "▲/▼: up/down on the week before",
	handling:     "Received and answered",
	fresh:        "New petitions",
	urgent:       "Of which urgent",
	answered:     "Answered",
	onTime:       "On-time rate",
	median:       "Time to answer (median)",
	overdue:      "Overdue (end of week)",
	reopened:     "Reopened",
	satisfaction: "Satisfaction",
	satisfied:    "Satisfaction rate",
	average:      "Average rating",
	ratings:      "%s ratings",
	categories:   "Top categories",
	areas:        "Top areas",
	hotSpots:     "Hot spots",
	hotSpotRule:  "3 or more this week and at least twice the average of the 4 weeks before",
	hotSpotLine:  "%s – %s: %s petitions (4 weeks before: %s/week on average)",
	moreHotSpots: "… and %s more",
	oldest:       "Longest overdue",
	oldestLine:   "%s – %s – %s days overdue",
	noneOverdue:  "No overdue petitions.",
	openCard:     "Tap a code below to open the petition.",
	none:         "n/a",
	unchanged:    "unchanged",
	before:       "week before",
	day:          "d",
	hour:         "h",
	minute:       "min",
	underMinute:  "under 1 min",
	chartTitle:   "Petitions over the last %d weeks",
	chartCount:   "Petitions",
	chartWeek:    "Week starting",
}

func language(code string) *lang {
	if strings.HasPrefix(code, "en") {
		return en
	}
	return vi
}

// maxHotSpots keeps the message short on a phone.
const maxHotSpots = 5

// Render writes the digest as a Telegram HTML message (<b> and <i> only)
// within Telegram's 4096-character limit, in Vietnamese unless lang is
// English.
func Render(d Digest, lang string) string {
	l := language(lang)
	f := d.Figures
	cur, prev := f.Current, f.Previous
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("<b>%s</b>", l.title)
	line("<b>%s</b>", name(d.Unit.Name))
	line(l.week, date(d.WeekStart), date(d.WeekEnd().AddDate(0, 0, -1)))
	line("<i>%s</i>", l.legend)

	line("\n<b>%s</b>", l.handling)
	line("%s: <b>%s</b>%s", l.fresh, l.int(cur.New), l.countChange(cur.New, prev.New))
	if cur.Urgent > 0 || prev.Urgent > 0 {
		line("%s: <b>%s</b>%s", l.urgent, l.int(cur.Urgent), l.countChange(cur.Urgent, prev.Urgent))
	}
	line("%s: <b>%s</b>%s", l.answered, l.int(cur.Answered), l.countChange(cur.Answered, prev.Answered))
	line("%s: %s", l.onTime, l.rate(cur.OnTimeRate, prev.OnTimeRate))
	line("%s: %s", l.median, l.medianChange(cur, prev))
	line("%s: <b>%s</b>%s", l.overdue, l.int(cur.Overdue), l.countChange(cur.Overdue, prev.Overdue))
	line("%s: <b>%s</b>%s", l.reopened, l.int(cur.Reopened), l.countChange(cur.Reopened, prev.Reopened))

	line("\n<b>%s</b>", l.satisfaction)
	line("%s: %s", l.satisfied, l.rate(cur.SatisfactionRate, prev.SatisfactionRate))
	if avg, ok := cur.AverageRating(); ok {
		line("%s: <b>%s</b>/5 (%s)", l.average, l.fixed(avg, 1), fmt.Sprintf(l.ratings, l.int(cur.Rated)))
	}

	l.ranking(&b, l.categories, f.TopCategories)
	l.ranking(&b, l.areas, f.TopAreas)
	if len(f.HotSpots) > 0 {
		line("\n<b>%s</b>", l.hotSpots)
		line("<i>%s</i>", l.hotSpotRule)
		for _, h := range f.HotSpots[:min(len(f.HotSpots), maxHotSpots)] {
			line("• "+l.hotSpotLine, name(h.AreaName), name(h.CategoryName), l.int(h.Count), l.fixed(h.BaselineAverage(), 1))
		}
		if more := len(f.HotSpots) - maxHotSpots; more > 0 {
			line(l.moreHotSpots, l.int(more))
		}
	}
	line("\n<b>%s</b>", l.oldest)
	if len(f.OldestOverdue) == 0 {
		line("%s", l.noneOverdue)
	}
	for i, t := range f.OldestOverdue {
		line("%d. "+l.oldestLine, i+1, bot.Escape(t.Code), name(t.UnitName), l.int(t.DaysOverdue(f.To)))
	}
	if len(f.OldestOverdue) > 0 {
		line("<i>%s</i>", l.openCard) // the buttons under the message
	}
	text := strings.TrimSpace(b.String())
	if bot.TextLen(text) > bot.MaxTextLen {
		// Names are shortened, so this cannot happen; if it did, the
		// lists at the end would be cut rather than the message lost.
		text = bot.Split(text, bot.MaxTextLen)[0]
	}
	return text
}

func (l *lang) ranking(b *strings.Builder, title string, rs []storage.RankedCount) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n<b>%s</b>\n", title)
	for i, r := range rs {
		fmt.Fprintf(b, "%d. %s: <b>%s</b>%s\n", i+1, name(r.Name), l.int(r.Count), l.countChange(r.Count, r.Previous))
	}
}

// countChange writes " ▲ 5", " ▼ 5" or " (unchanged)".
func (l *lang) countChange(now, before int) string {
	switch {
	case now > before:
		return " ▲ " + l.int(now-before)
	case now < before:
		return " ▼ " + l.int(before-now)
	}
	return " (" + l.unchanged + ")"
}

// rate writes a rate in bold with an arrow and last week's value.
func (l *lang) rate(now, before func() (float64, bool)) string {
	v, ok := now()
	p, pok := before()
	if !ok {
		if !pok {
			return l.none
		}
		return fmt.Sprintf("%s (%s %s)", l.none, l.before, l.percent(p))
	}
	if !pok {
		return fmt.Sprintf("<b>%s</b> (%s %s)", l.percent(v), l.before, l.none)
	}
	return fmt.Sprintf("<b>%s</b>%s (%s %s)", l.percent(v), arrow(v-p), l.before, l.percent(p))
}

func (l *lang) medianChange(cur, prev storage.PeriodFigures) string {
	if cur.Answered == 0 {
		return l.none
	}
	s := "<b>" + l.duration(cur.MedianAnswer) + "</b>"
	if prev.Answered == 0 {
		return s
	}
	return fmt.Sprintf("%s%s (%s %s)", s, arrow(float64(cur.MedianAnswer-prev.MedianAnswer)), l.before, l.duration(prev.MedianAnswer))
}

func arrow(change float64) string {
	switch {
	case change > 0:
		return " ▲"
	case change < 0:
		return " ▼"
	}
	return ""
}

// Buttons open the cards of the oldest overdue tickets ("c:<id>", handled
// by the staff handlers), two per row.
func Buttons(d Digest) [][]bot.InlineButton {
	var rows [][]bot.InlineButton
	for i, t := range d.Figures.OldestOverdue {
		b := bot.InlineButton{Text: t.Code, Data: fmt.Sprintf("c:%d", t.ID)}
		if i%2 == 0 {
			rows = append(rows, []bot.InlineButton{b})
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], b)
		}
	}
	return rows
}
