package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Notices (dân biết: residents know what their commune decides, law.md §7,
// Grassroots Democracy Law Art. 11-12). Leaders publish notices to the
// residents of the areas their unit serves (announcement_publish.go);
// residents choose the areas they follow. /thongbao shows the areas
// followed and the latest notices reaching them; "n:a:<area>" browses the
// areas (0: the top), "n:f:<area>" follows one, "n:u:<area>" stops
// following it, "n:r:<notice>" shows a notice in full, "n:l" goes back to
// /thongbao.
const (
	prefixNotice = "n"
	// /thongbao lists at most noticesListed notices of the last
	// noticeDays days.
	noticesListed = 5
	noticeDays    = 90
)

// Button actions after "n:".
const (
	actNoticeList     = "l"
	actNoticeAreas    = "a"
	actNoticeFollow   = "f"
	actNoticeUnfollow = "u"
	actNoticeRead     = "r"
	// Follow the area of a petition, from its receipt: the receipt stays.
	actNoticeFollowArea = "g"
)

func (s *Service) cmdNotices(t *turn) error {
	if t.ev.Chat.Group {
		return t.reply("notice.private_only")
	}
	return s.showNotices(t)
}

// showNotices is /thongbao's screen.
func (s *Service) showNotices(t *turn) error {
	followed, err := t.tx.FollowedAreas(t.ctx, t.citizen.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("notice.title") + "\n\n")
	if len(followed) == 0 {
		b.WriteString(t.text("notice.follow_none"))
		return t.show(bot.Outgoing{Text: b.String(), Buttons: [][]bot.InlineButton{{followButton(t)}}})
	}
	names := make([]string, len(followed))
	var rows [][]bot.InlineButton
	for i, a := range followed {
		names[i] = "<b>" + bot.Escape(a.Name) + "</b>"
		rows = append(rows, []bot.InlineButton{{Text: t.text("notice.btn_unfollow", excerpt(a.Name, 40)),
			Data: data(prefixNotice, actNoticeUnfollow, fmt.Sprint(a.ID))}})
	}
	b.WriteString(t.text("notice.following", strings.Join(names, ", ")))
	notices, err := t.tx.AnnouncementsFor(t.ctx, t.citizen.ID, s.now().AddDate(0, 0, -noticeDays), noticesListed)
	if err != nil {
		return err
	}
	if len(notices) == 0 {
		b.WriteString("\n\n" + t.text("notice.none", noticeDays))
	} else {
		b.WriteString("\n\n" + t.text("notice.latest"))
	}
	var reads []bot.InlineButton
	for i, n := range notices {
		unit := bot.Escape(localName(t.lang, n.UnitName, n.UnitNameEN))
		fmt.Fprintf(&b, "\n\n%d. %s · <b>%s</b>\n%s", i+1, formatDate(n.PublishedAt), unit, bot.Escape(excerpt(n.Text, 160)))
		reads = append(reads, bot.InlineButton{Text: t.text("notice.btn_read", i+1), Data: data(prefixNotice, actNoticeRead, fmt.Sprint(n.ID))})
	}
	rows = append(grid(reads, 3), rows...)
	rows = append(rows, []bot.InlineButton{followButton(t)})
	return t.show(bot.Outgoing{Text: b.String(), Buttons: rows})
}

func followButton(t *turn) bot.InlineButton {
	return bot.InlineButton{Text: t.text("notice.btn_follow"), Data: data(prefixNotice, actNoticeAreas, "0")}
}

// noticeButton handles "n:..." presses: the resident's (here) and the
// leader's (publishButton).
func (s *Service) noticeButton(t *turn, args []string) error {
	if len(args) == 0 {
		return t.answer(t.text("button.stale"), false)
	}
	if isPublishAction(args[0]) {
		return s.publishButton(t, args)
	}
	if t.ev.Chat.Group {
		return t.answer(t.text("notice.private_only"), true)
	}
	if args[0] == actNoticeList && len(args) == 1 {
		return s.showNotices(t)
	}
	if len(args) != 2 {
		return t.answer(t.text("button.stale"), false)
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id < 0 {
		return t.answer(t.text("button.stale"), false)
	}
	switch args[0] {
	case actNoticeAreas:
		return s.browseAreas(t, id)
	case actNoticeFollow:
		return s.followArea(t, id, false)
	case actNoticeUnfollow:
		return s.unfollowArea(t, id)
	case actNoticeRead:
		return s.readNotice(t, id)
	case actNoticeFollowArea:
		return s.followArea(t, id, true)
	}
	return t.answer(t.text("button.stale"), false)
}

// browseAreas shows the areas under parent (0: the top) to choose one to
// follow: an area with areas below it opens them, and its own screen
// offers to follow the whole of it.
func (s *Service) browseAreas(t *turn, parent int64) error {
	text := t.text("notice.choose_area")
	back := data(prefixNotice, actNoticeList)
	var whole []bot.InlineButton
	if parent != 0 {
		area, err := activeArea(t, parent)
		if err != nil || area == nil {
			return err
		}
		text = t.text("notice.choose_in", bot.Escape(area.Name))
		back = data(prefixNotice, actNoticeAreas, fmt.Sprint(area.ParentID.Int64))
		whole = []bot.InlineButton{{Text: t.text("notice.btn_follow_whole", excerpt(area.Name, 40)),
			Data: data(prefixNotice, actNoticeFollow, fmt.Sprint(area.ID))}}
	}
	areas, err := t.tx.AreaChildren(t.ctx, parent)
	if err != nil {
		return err
	}
	if len(areas) == 0 && parent == 0 {
		text = t.text("notice.no_areas")
	}
	buttons := make([]bot.InlineButton, len(areas))
	for i, a := range areas {
		if a.Children > 0 {
			buttons[i] = bot.InlineButton{Text: a.Name + " ›", Data: data(prefixNotice, actNoticeAreas, fmt.Sprint(a.ID))}
		} else {
			buttons[i] = bot.InlineButton{Text: a.Name, Data: data(prefixNotice, actNoticeFollow, fmt.Sprint(a.ID))}
		}
	}
	rows := grid(buttons, 2)
	if whole != nil {
		rows = append(rows, whole)
	}
	rows = append(rows, []bot.InlineButton{{Text: t.text("btn.back"), Data: back}})
	return t.show(bot.Outgoing{Text: text, Buttons: rows})
}

// activeArea loads an area a button names; nil (the press answered) if it
// is gone or no longer active.
func activeArea(t *turn, id int64) (*storage.Area, error) {
	area, err := t.tx.AreaByID(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !area.Active) {
		return nil, t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return nil, err
	}
	return &area, nil
}

// followArea follows an area: from /thongbao's screens, shown again
// then, or from a petition's receipt (fromReceipt), which stays as it is
// while the person is told in a message of its own.
func (s *Service) followArea(t *turn, id int64, fromReceipt bool) error {
	area, err := activeArea(t, id)
	if err != nil || area == nil {
		return err
	}
	if err := t.tx.FollowArea(t.ctx, t.citizen.ID, area.ID, s.now()); err != nil {
		return err
	}
	if err := t.answer(t.text("notice.followed", area.Name), false); err != nil {
		return err
	}
	if fromReceipt {
		return t.reply("notice.followed_from_receipt", bot.Escape(area.Name))
	}
	return s.showNotices(t)
}

// noticeOffer is the row of a petition's receipt that offers notices
// about its area, when a unit publishes for it and the person does not
// follow it yet (none otherwise).
func (s *Service) noticeOffer(t *turn, tk storage.Ticket) ([][]bot.InlineButton, error) {
	if !tk.AreaID.Valid || t.ev.Chat.Group {
		return nil, nil
	}
	offer, err := t.tx.NoticeOffer(t.ctx, t.citizen.ID, tk.AreaID.Int64)
	if err != nil || !offer {
		return nil, err
	}
	area, err := t.tx.AreaByID(t.ctx, tk.AreaID.Int64)
	if err != nil {
		return nil, err
	}
	return [][]bot.InlineButton{{{Text: t.text("notice.btn_offer", excerpt(area.Name, 40)),
		Data: data(prefixNotice, actNoticeFollowArea, fmt.Sprint(area.ID))}}}, nil
}

func (s *Service) unfollowArea(t *turn, id int64) error {
	err := t.tx.UnfollowArea(t.ctx, t.citizen.ID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	if err := t.answer(t.text("notice.unfollowed"), false); err != nil {
		return err
	}
	return s.showNotices(t)
}

// readNotice shows a notice in full. Notices are public: anyone may read
// any of them.
func (s *Service) readNotice(t *turn, id int64) error {
	n, err := t.tx.AnnouncementByID(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	unit := bot.Escape(localName(t.lang, n.UnitName, n.UnitNameEN))
	return t.show(bot.Outgoing{Text: t.text("notice.full", unit, formatTime(n.PublishedAt), bot.Escape(n.Text)),
		Buttons: [][]bot.InlineButton{{{Text: t.text("btn.back"), Data: data(prefixNotice, actNoticeList)}}}})
}
