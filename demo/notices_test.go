package demo

import "testing"

// The sandbox's clock runs ahead of the real one once advanced (clock.go),
// and the service takes its time from it, while the sender releases a
// notice's scheduled messages by PostgreSQL's clock: their due times are
// counted from the database's now, so a notice published after «advance»
// reaches its followers at once.
func TestSandboxNoticeIsDeliveredAfterTheClockAdvances(t *testing.T) {
	s := startSandbox(t)
	lan := int64(firstCitizenID)
	s.expect(lan, 0, "Xin chào")
	s.say(lan, "/thongbao", "chưa theo dõi khu vực nào")
	s.press(lan, "Theo dõi một khu vực", "muốn nhận thông báo")
	s.press(lan, "Thành phố Đà Nẵng ›", "theo dõi cả khu vực")
	s.press(lan, "Theo dõi cả Thành phố Đà Nẵng", "đang nhận thông báo về")

	s.post("/api/clock/advance", map[string]int{"workdays": 1}, nil)
	s.say(cityLeaderID, "/congbo", "người đang theo dõi")
	s.say(cityLeaderID, "Thành phố tổ chức ngày hội hiến máu tình nguyện vào Chủ nhật", "Công bố")
	at := s.lastID(lan)
	s.press(cityLeaderID, "📢 Công bố", "Đã công bố thông báo tới")
	s.expect(lan, at, "hiến máu tình nguyện")
}
