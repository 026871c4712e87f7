package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// /mydata lets a person see, download and erase what danvan keeps about
// them, and withdraw their consent to be called (law.md §6), in the chat
// itself.

const prefixMyData = "d"

// Button actions of the /mydata screen.
const (
	myDataExport        = "export"
	myDataWithdrawPhone = "nophone"
	myDataErase         = "erase"
	myDataEraseSure     = "erase!"
)

func (s *Service) cmdMyData(t *turn) error { return s.showMyData(t) }

// showMyData shows what is kept about the person. It is reached by the
// command and by the menu button "m:mydata" («Không xóa»), which a group
// can send too: in a group, everyone would read it.
func (s *Service) showMyData(t *turn) error {
	if t.ev.Chat.Group {
		if t.ev.Button != nil {
			return t.answer(t.text("mydata.private_only"), true)
		}
		return t.reply("mydata.private_only")
	}
	c := t.citizen
	petitions, err := t.tx.CountTickets(t.ctx, c.ID)
	if err != nil {
		return err
	}
	consents, err := t.tx.Consents(t.ctx, c.ID)
	if err != nil {
		return err
	}
	phone := t.text("value.not_shared")
	if c.Phone.Valid {
		phone = bot.Escape(c.Phone.String)
	}
	var b strings.Builder
	b.WriteString(t.text("mydata.title") + "\n\n")
	fmt.Fprintf(&b, "%s: %s\n", t.text("mydata.name"), bot.Escape(c.DisplayName))
	fmt.Fprintf(&b, "%s: %s\n", t.text("field.phone"), phone)
	fmt.Fprintf(&b, "%s: %s\n", t.text("mydata.language"), t.text("language.name"))
	fmt.Fprintf(&b, "%s: %s\n", t.text("mydata.since"), formatDate(c.CreatedAt))
	fmt.Fprintf(&b, "%s: %s\n", t.text("mydata.petitions"), formatNumber(petitions))
	b.WriteString("\n" + t.text("mydata.consents") + "\n")
	if len(consents) == 0 {
		b.WriteString(t.text("value.none") + "\n")
	}
	// One line a purpose, with its latest agreement: a consent is recorded
	// with every petition, and one line each would soon outgrow a message.
	// The download lists them all.
	var purposes []string
	latest, times := map[string]storage.Consent{}, map[string]int{}
	for _, k := range consents {
		if times[k.Purpose] == 0 {
			purposes = append(purposes, k.Purpose)
		}
		latest[k.Purpose] = k
		times[k.Purpose]++
	}
	for _, purpose := range purposes {
		k := latest[purpose]
		state := t.text("mydata.consent_given", formatTime(k.GivenAt))
		switch {
		case k.WithdrawnAt.Valid:
			state = t.text("mydata.consent_withdrawn", formatTime(k.GivenAt), formatTime(k.WithdrawnAt.Time))
		case times[purpose] > 1:
			state = t.text("mydata.consent_given_times", formatNumber(times[purpose]), formatTime(k.GivenAt))
		}
		fmt.Fprintf(&b, "• %s: %s\n", t.text("consent."+purpose), state)
	}
	b.WriteString("\n" + t.text("mydata.rights"))
	rows := [][]bot.InlineButton{{{Text: t.text("btn.mydata_export"), Data: data(prefixMyData, myDataExport)}}}
	if c.Phone.Valid {
		rows = append(rows, []bot.InlineButton{{Text: t.text("btn.mydata_withdraw_phone"), Data: data(prefixMyData, myDataWithdrawPhone)}})
	}
	rows = append(rows, []bot.InlineButton{{Text: t.text("btn.mydata_erase"), Data: data(prefixMyData, myDataErase)}})
	return t.show(bot.Outgoing{Text: b.String(), Buttons: rows})
}

func (s *Service) myDataButton(t *turn, args []string) error {
	if t.ev.Chat.Group || len(args) == 0 || len(args) > 2 || (len(args) == 2 && args[0] != myDataEraseSure) {
		return t.answer(t.text("button.stale"), false)
	}
	now := s.now()
	switch args[0] {
	case myDataExport:
		return s.exportMyData(t, now)
	case myDataWithdrawPhone:
		if err := t.tx.WithdrawPhone(t.ctx, t.citizen.ID, now); err != nil {
			return err
		}
		t.logInfo("phone consent withdrawn", "citizen", t.citizen.ID)
		return t.show(bot.Outgoing{Text: t.text("mydata.phone_withdrawn")})
	case myDataErase:
		return s.confirmErasure(t, now)
	case myDataEraseSure:
		// The confirmation holds the time it was asked: one left in the
		// chat for days (or a button without it) asks again, so what is
		// erased is what the person just read about.
		if len(args) != 2 || !freshConfirmation(args[1], now) {
			if err := t.answer(t.text("mydata.erase_expired"), false); err != nil {
				return err
			}
			return s.confirmErasure(t, now)
		}
		// Erasing drops the petition being written too.
		if err := s.leaveDraft(t); err != nil {
			return err
		}
		if err := s.unnameQueued(t, t.citizen); err != nil {
			return err
		}
		kept, err := s.presealCopies(t, t.citizen)
		if err != nil {
			return err
		}
		if err := t.tx.EraseCitizen(t.ctx, t.citizen, now, kept); err != nil {
			return err
		}
		t.logInfo("personal data erased", "citizen", t.citizen.ID)
		return t.show(bot.Outgoing{Text: t.text("mydata.erased")})
	}
	return t.answer(t.text("button.stale"), false)
}

// eraseConfirmationLasts is how long the button confirming an erasure
// stays valid.
const eraseConfirmationLasts = time.Hour

func (s *Service) confirmErasure(t *turn, now time.Time) error {
	return t.show(bot.Outgoing{Text: t.text("mydata.erase_confirm"), Buttons: [][]bot.InlineButton{{
		{Text: t.text("btn.mydata_erase_sure"), Data: data(prefixMyData, myDataEraseSure, strconv.FormatInt(now.Unix(), 10))},
		{Text: t.text("btn.mydata_keep"), Data: data(prefixMenu, "mydata")},
	}}})
}

// freshConfirmation reports whether a confirmation asked at stamp (Unix
// seconds) is still valid at now.
func freshConfirmation(stamp string, now time.Time) bool {
	sec, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return false
	}
	age := now.Sub(time.Unix(sec, 0))
	return age >= -time.Minute && age <= eraseConfirmationLasts
}

// personalData is the export a person downloads: everything kept about
// them, as it is stored, except other people's data (officers' names and
// internal notes).
type personalData struct {
	ExportedAt time.Time `json:"exported_at"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone,omitempty"`
	Language   string    `json:"language"`
	Since      time.Time `json:"since"`
	// The messenger account: the ids that reach the person, and since
	// when they have blocked the bot, if they have.
	Account  exportAccount   `json:"account"`
	Consents []exportConsent `json:"consents"`
	// The person's current roles as staff of a unit, if any.
	StaffRoles []exportRole     `json:"staff_roles,omitempty"`
	Petitions  []exportPetition `json:"petitions"`
	// Other people's petitions the person co-signed (cosign.go).
	Cosigned []storage.Cosigning `json:"cosigned,omitempty"`
	// Their bookings of citizen receptions (reception.go).
	Receptions []exportBooking `json:"receptions,omitempty"`
	// The areas whose notices they receive (announcement.go).
	FollowedAreas []exportFollow `json:"followed_areas,omitempty"`
	// The notices they published as a unit's leader.
	NoticesPublished []exportNotice `json:"notices_published,omitempty"`
	// The petition the person has started and not sent yet: kept until
	// they send or cancel it, or it expires.
	Unfinished *exportDraft `json:"unfinished_petition,omitempty"`
	// Older petitions left out to keep the file within maxExportBytes.
	LeftOut int `json:"petitions_left_out,omitempty"`
}

type exportRole struct {
	Unit  string    `json:"unit"`
	Role  string    `json:"role"`
	Since time.Time `json:"since"`
}

type exportDraft struct {
	UpdatedAt    time.Time `json:"updated_at"`
	Kind         string    `json:"kind,omitempty"`
	Category     string    `json:"category,omitempty"`
	Area         string    `json:"area,omitempty"`
	Description  string    `json:"description,omitempty"`
	Address      string    `json:"address,omitempty"`
	Latitude     *float64  `json:"latitude,omitempty"`
	Longitude    *float64  `json:"longitude,omitempty"`
	Phone        string    `json:"phone,omitempty"`
	Confidential bool      `json:"confidential"`
	Urgent       bool      `json:"urgent,omitempty"`
	Photos       int       `json:"photos"`
	// The text given with "/new TEXT" while this petition was being
	// written: it is kept for a new petition if the person drops this one.
	NewPetitionText string `json:"new_petition_text,omitempty"`
}

type exportConsent struct {
	Purpose     string     `json:"purpose"`
	Petition    string     `json:"petition,omitempty"` // the code of the petition it was given for
	Wording     string     `json:"wording"`
	Text        string     `json:"text,omitempty"`
	GivenAt     time.Time  `json:"given_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

type exportPetition struct {
	Code          string        `json:"code"`
	Kind          string        `json:"kind"`
	Status        string        `json:"status"`
	Category      string        `json:"category,omitempty"`
	Area          string        `json:"area,omitempty"`
	Description   string        `json:"description"`
	Address       string        `json:"address,omitempty"`
	Latitude      *float64      `json:"latitude,omitempty"`
	Longitude     *float64      `json:"longitude,omitempty"`
	Phone         string        `json:"phone,omitempty"`
	Confidential  bool          `json:"confidential"`
	Urgent        bool          `json:"urgent,omitempty"`
	Attachments   int           `json:"attachments"`
	CreatedAt     time.Time     `json:"created_at"`
	Rating        int16         `json:"rating,omitempty"`
	RatingComment string        `json:"rating_comment,omitempty"`
	Timeline      []exportEvent `json:"timeline"`
}

type exportBooking struct {
	Unit     string    `json:"unit"`
	Day      string    `json:"day"`
	Hours    string    `json:"hours"`
	Place    string    `json:"place"`
	Subject  string    `json:"subject"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason,omitempty"`
	BookedAt time.Time `json:"booked_at"`
}

type exportAccount struct {
	Channel     string     `json:"channel"`
	UserID      string     `json:"user_id"`
	ChatID      string     `json:"chat_id"`
	Unreachable *time.Time `json:"unreachable_since,omitempty"`
}

type exportNotice struct {
	Unit        string    `json:"unit"`
	Text        string    `json:"text"`
	PublishedAt time.Time `json:"published_at"`
	Recipients  int       `json:"recipients"`
}

type exportFollow struct {
	Area  string    `json:"area"`
	Since time.Time `json:"since"`
}

type exportEvent struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Kind   string    `json:"kind"`
	Status string    `json:"status,omitempty"`
	Text   string    `json:"text,omitempty"`
}

// exportMyData sends the person their data as a JSON file.
func (s *Service) exportMyData(t *turn, now time.Time) error {
	c := t.citizen
	out := personalData{ExportedAt: now, Name: c.DisplayName, Phone: c.Phone.String, Language: c.Language,
		Since: c.CreatedAt, Consents: []exportConsent{}, Petitions: []exportPetition{},
		Account: exportAccount{Channel: c.Channel, UserID: c.UserID, ChatID: c.ChatID}}
	if c.UnreachableAt.Valid {
		out.Account.Unreachable = &c.UnreachableAt.Time
	}
	consents, err := t.tx.Consents(t.ctx, c.ID)
	if err != nil {
		return err
	}
	for _, k := range consents {
		e := exportConsent{Purpose: k.Purpose, Wording: k.Wording, Text: k.Text, GivenAt: k.GivenAt}
		if k.TicketID != 0 {
			tk, err := t.tx.TicketByID(t.ctx, k.TicketID)
			if err != nil {
				return err
			}
			e.Petition = tk.Code
		}
		if k.WithdrawnAt.Valid {
			e.WithdrawnAt = &k.WithdrawnAt.Time
		}
		out.Consents = append(out.Consents, e)
	}
	roles, err := t.tx.RolesOf(t.ctx, c.ID)
	if err != nil {
		return err
	}
	for _, r := range roles {
		out.StaffRoles = append(out.StaffRoles, exportRole{Unit: r.UnitName, Role: r.Role, Since: r.CreatedAt})
	}
	if out.Cosigned, err = t.tx.Cosigned(t.ctx, c.ID); err != nil {
		return err
	}
	bookings, err := t.tx.BookingsOf(t.ctx, c.ID, maxExportedPetitions)
	if err != nil {
		return err
	}
	for _, bk := range bookings {
		out.Receptions = append(out.Receptions, exportBooking{Unit: bk.UnitName, Day: bk.Date().String(),
			Hours: bk.Starts + "–" + bk.Ends, Place: bk.Place, Subject: bk.Subject, Status: bk.Status, Reason: bk.Reason,
			BookedAt: bk.CreatedAt})
	}
	follows, err := t.tx.FollowedAreas(t.ctx, c.ID)
	if err != nil {
		return err
	}
	for _, f := range follows {
		out.FollowedAreas = append(out.FollowedAreas, exportFollow{Area: f.Name, Since: f.Since})
	}
	notices, err := t.tx.AnnouncementsBy(t.ctx, c.ID, maxExportedPetitions)
	if err != nil {
		return err
	}
	for _, n := range notices {
		out.NoticesPublished = append(out.NoticesPublished, exportNotice{Unit: n.UnitName, Text: n.Text,
			PublishedAt: n.PublishedAt, Recipients: n.Recipients})
	}
	tickets, err := t.tx.TicketsByCitizen(t.ctx, c.ID, maxExportedPetitions)
	if err != nil {
		return err
	}
	if n, err := t.tx.CountTickets(t.ctx, c.ID); err != nil {
		return err
	} else {
		out.LeftOut = n - len(tickets)
	}
	if out.Unfinished, err = exportedDraft(t); err != nil {
		return err
	}
	// The rest of the file (and room for the count left out), then each
	// petition as it is written in it.
	rest, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fail("encode personal data", err)
	}
	size := len(rest) + len(`,
  "petitions_left_out": 1000000`)
	for i, tk := range tickets {
		p, err := exportedPetition(t, tk)
		if err != nil {
			return err
		}
		raw, err := json.MarshalIndent(p, "    ", "  ")
		if err != nil {
			return fail("encode personal data", err)
		}
		if size += len(raw) + len(",\n    "); size > maxExportBytes {
			out.LeftOut += len(tickets) - i
			break
		}
		out.Petitions = append(out.Petitions, p)
	}
	content, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fail("encode personal data", err)
	}
	if err := t.answer(t.text("mydata.export_sent"), false); err != nil {
		return err
	}
	caption := t.text("mydata.export_caption")
	if out.LeftOut > 0 {
		caption += " " + t.text("mydata.export_partial", formatNumber(len(out.Petitions)), formatNumber(out.LeftOut))
	}
	return t.send(bot.Outgoing{Kind: bot.KindDocument, Content: content,
		FileName: "danvan-" + now.In(displayZone).Format("2006-01-02") + ".json", Text: caption})
}

// The file holds the newest petitions that fit in maxExportBytes, well
// under the messenger's upload limit (50 MB on Telegram, and the whole
// file is kept in the outbox until sent): a petition takes from 1 KB to
// several tens of KB with its timeline, so a count alone bounds nothing.
// maxExportedPetitions bounds the work of one button press.
const (
	maxExportBytes       = 10 << 20
	maxExportedPetitions = 5000
)

// exportedDraft returns the person's unfinished petition, if any.
func exportedDraft(t *turn) (*exportDraft, error) {
	ev := t.ev
	conv, err := t.tx.Conversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && conv.Flow != flowPetition) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d draft
	if err := json.Unmarshal(conv.Data, &d); err != nil {
		return nil, fail("decode draft", err)
	}
	category, area, err := categoryAndAreaNames(t, d.CategoryID, d.AreaID)
	if err != nil {
		return nil, err
	}
	return &exportDraft{UpdatedAt: conv.UpdatedAt, Kind: d.Kind, Category: category, Area: area,
		Description: d.Description, Address: d.Address, Latitude: d.Latitude, Longitude: d.Longitude,
		Phone: d.Phone, Confidential: d.Confidential, Urgent: d.Urgent, Photos: len(d.Photos), NewPetitionText: d.NextDescription}, nil
}

// categoryAndAreaNames names a petition's category and area (0: none;
// "" for one removed since).
func categoryAndAreaNames(t *turn, categoryID, areaID int64) (category, area string, err error) {
	if categoryID != 0 {
		cat, err := t.tx.CategoryByID(t.ctx, categoryID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", "", err
		}
		category = cat.Name
	}
	if areaID != 0 {
		a, err := t.tx.AreaByID(t.ctx, areaID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", "", err
		}
		area = a.Name
	}
	return category, area, nil
}

func exportedPetition(t *turn, tk storage.Ticket) (exportPetition, error) {
	p := exportPetition{Code: tk.Code, Kind: tk.Kind, Status: tk.Status, Description: tk.Description,
		Address: tk.Address, Phone: tk.Phone.String, Confidential: tk.Confidential, Urgent: tk.Urgent, CreatedAt: tk.CreatedAt,
		Rating: tk.Rating.Int16, RatingComment: tk.RatingComment.String, Timeline: []exportEvent{}}
	if tk.Latitude.Valid && tk.Longitude.Valid {
		p.Latitude, p.Longitude = &tk.Latitude.Float64, &tk.Longitude.Float64
	}
	var err error
	if p.Category, p.Area, err = categoryAndAreaNames(t, tk.CategoryID.Int64, tk.AreaID.Int64); err != nil {
		return p, err
	}
	files, err := t.tx.Attachments(t.ctx, tk.ID)
	if err != nil {
		return p, err
	}
	p.Attachments = len(files)
	events, err := t.tx.Events(t.ctx, tk.ID)
	if err != nil {
		return p, err
	}
	for _, e := range events {
		if e.Internal {
			continue
		}
		p.Timeline = append(p.Timeline, exportEvent{At: e.At, By: e.ActorKind, Kind: e.Kind, Status: e.ToStatus, Text: e.Body})
	}
	return p, nil
}

// recordConsent stores that the person agreed to purpose after being shown
// the catalogue text key (with args): the text itself, and the wording
// that names it in the catalogue's history.
func (t *turn) recordConsent(purpose string, ticketID int64, key string, args ...any) error {
	text := t.text(key, args...)
	sum := sha256.Sum256([]byte(text))
	return t.tx.RecordConsent(t.ctx, storage.Consent{CitizenID: t.citizen.ID, Purpose: purpose, TicketID: ticketID,
		Wording: t.lang + "/" + key + "#" + hex.EncodeToString(sum[:6]), Text: text, GivenAt: t.s.now()})
}
