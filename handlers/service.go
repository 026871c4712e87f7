// Package handlers holds danvan's conversations and ticket workflow. It sees
// only normalised bot.Events and writes replies to the outbox in the same
// transaction as the state change, so nothing is lost or sent twice.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Config tunes the handlers.
type Config struct {
	// Now is the clock; nil means time.Now. The sandbox injects its own.
	Now    func() time.Time
	Logger *slog.Logger
	// BotUsername, when known, makes invitations links (cosign.go).
	BotUsername string
	// CitizenKinds are the kinds citizens may pick (CheckCitizenKinds);
	// nil means all. Staff may still reclassify a ticket as any kind.
	CitizenKinds []string
	// AnnouncementRate is how many messages of a notice go out a second
	// (announcement_publish.go); 0 means DefaultAnnouncementRate.
	AnnouncementRate float64
}

// Service handles events.
type Service struct {
	cfg      Config
	texts    catalog
	logger   *slog.Logger
	commands map[string]commandFunc
	buttons  map[string]buttonFunc
	stats    statsCache // public figures (stats.go)
	// labels are the buttons' labels in every language (as answerKey
	// gives them): typed, or sent by a reply keyboard, they answer the
	// step the person is at.
	labels map[string]bool
}

type commandFunc func(t *turn) error

// buttonFunc handles a button press; args are the data after the prefix.
type buttonFunc func(t *turn, args []string) error

// New builds the handlers.
func New(cfg Config) (*Service, error) {
	texts, err := catalogOnce()
	if err != nil {
		return nil, err
	}
	if cfg.CitizenKinds != nil {
		if err := CheckCitizenKinds(cfg.CitizenKinds); err != nil {
			return nil, fmt.Errorf("handlers: %w", err)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, texts: texts, logger: cfg.Logger, labels: texts.buttonLabels()}
	s.commands = map[string]commandFunc{
		"start":    s.cmdStart,
		"new":      s.cmdNew,
		"my":       s.cmdMy,
		"status":   s.cmdStatus,
		"cancel":   s.cmdCancel,
		"lang":     s.cmdLang,
		"help":     s.cmdHelp,
		"mydata":   s.cmdMyData,
		"gopy":     s.cmdConsultations,
		"tiepdan":  s.cmdReception,
		"thongke":  s.cmdStats,
		"thongbao": s.cmdNotices,
		"join":     s.cmdJoin,

		"linkgroup":   s.cmdLinkGroup,
		"unlinkgroup": s.cmdUnlinkGroup,
		"inbox":       s.staffOnly(s.cmdInbox),
		"mine":        s.staffOnly(s.cmdMine),
		"ticket":      s.staffOnly(s.cmdTicket),
		"reply":       s.staffOnly(s.staffTextCommand("reply.usage", s.progress, true)),
		"resolve":     s.staffOnly(s.staffTextCommand("resolve.usage", s.resolve, true)),
		"note":        s.staffOnly(s.staffTextCommand("note.usage", s.note, false)),
		"identity":    s.staffOnly(s.cmdIdentity),
		"transfer":    s.staffOnly(s.cmdTransfer),
		"giahan":      s.staffOnly(s.cmdExtend),
		"gop":         s.staffOnly(s.cmdMerge),
		"khan":        s.staffOnly(s.staffTextCommand("urgency.usage", s.setUrgency(true), true)),
		"thuong":      s.staffOnly(s.staffTextCommand("urgency.usage", s.setUrgency(false), true)),
		"report":      s.staffOnly(s.cmdReport),
		"lichtiep":    s.staffOnly(s.cmdReceptionSchedule),
		"congbo":      s.staffOnly(s.cmdPublish),
	}
	s.buttons = map[string]buttonFunc{
		prefixPetition: s.petitionButton,
		prefixMenu:     s.menuButton,
		prefixLanguage: s.languageButton,
		prefixStatus:   s.statusButton,
		prefixOfficer:  s.officerButton,
		prefixCard:     s.cardButton,
		prefixRating:   s.ratingButton,
		prefixAdd:      s.addButton,
		prefixMyData:   s.myDataButton,
		prefixCosign:   s.cosignButton,

		prefixConsultation: s.consultationButton,
		prefixReception:    s.receptionButton,
		prefixStats:        s.statsButton,
		prefixNotice:       s.noticeButton,
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// Handle processes one event inside tx: every state change and every reply
// it causes commit together.
func (s *Service) Handle(ctx context.Context, tx *storage.Store, ev bot.Event) error {
	ev = withoutNUL(ev)
	t := &turn{ctx: ctx, tx: tx, ev: ev, s: s, lang: languages[0]}
	var err error
	if ev.Chat.Group {
		err = s.handleGroup(t)
	} else {
		err = s.handlePrivate(t)
	}
	if err != nil {
		return err
	}
	// Every button press is answered, or the client keeps spinning.
	if ev.Button != nil && !t.answered {
		return t.answer("", false)
	}
	return nil
}

// withoutNUL removes NUL characters from what people send. PostgreSQL
// keeps no NUL in text nor \u0000 in jsonb, so one stored or echoed
// would fail the update's transaction on every retry.
func withoutNUL(ev bot.Event) bot.Event {
	clean := func(s *string) { *s = strings.ReplaceAll(*s, "\x00", "") }
	for _, s := range []*string{&ev.Text, &ev.Command, &ev.Args, &ev.Chat.Title, &ev.From.Name, &ev.Unsupported} {
		clean(s)
	}
	if ev.Button != nil {
		b := *ev.Button
		clean(&b.Data)
		ev.Button = &b
	}
	if ev.Contact != nil {
		c := *ev.Contact
		clean(&c.Phone)
		clean(&c.Name)
		ev.Contact = &c
	}
	if ev.Document != nil {
		d := *ev.Document
		clean(&d.Name)
		clean(&d.MIME)
		ev.Document = &d
	}
	return ev
}

func (s *Service) handlePrivate(t *turn) error {
	ev := t.ev
	c, err := t.tx.TouchCitizen(t.ctx, ev.Channel, ev.From.ID, ev.Chat.ID, ev.From.Name, languages[0])
	if err != nil {
		return err
	}
	t.citizen, t.lang = c, c.Language
	switch {
	case ev.Button != nil:
		return s.onButton(t)
	case ev.Command != "":
		return s.onCommand(t)
	}
	return s.onMessage(t)
}

// Groups are for staff (a unit's linked group); citizens use private
// chats. In a group the bot reacts to commands, card buttons and the text a
// staff member's pending action waits for; other chatter is ignored.
func (s *Service) handleGroup(t *turn) error {
	ev := t.ev
	if ev.MovedTo != "" {
		// Telegram refuses the old id from now on.
		t.logInfo("group moved", "from", ev.Chat.ID, "to", ev.MovedTo)
		return t.tx.MoveGroup(t.ctx, ev.Channel, ev.Chat.ID, ev.MovedTo)
	}
	c, err := t.tx.AccountOf(t.ctx, ev.Channel, ev.From.ID, ev.From.Name)
	if err != nil {
		return err
	}
	t.citizen, t.lang = c, c.Language
	t.groupUnit, err = t.tx.GroupUnit(t.ctx, ev.Channel, ev.Chat.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	switch {
	case ev.Button != nil:
		if t.groupUnit == 0 {
			return t.answer(t.text("group.not_linked"), true)
		}
		if prefix, _ := splitData(ev.Button.Data); slices.Contains(privateButtons, prefix) {
			return t.answer(t.text("group.button_private"), true)
		}
		return s.onButton(t)
	case ev.Command != "":
		if staff, err := t.isStaff(); err != nil || (!staff && ev.Command != "linkgroup") {
			return errors.Join(err, t.reply("group.private_only"))
		}
		if t.groupUnit == 0 && ev.Command != "linkgroup" {
			return t.reply("group.not_linked")
		}
		// Everyone in the group would see what a citizen's command shows
		// of the person (their petitions, their areas, their data).
		if _, known := s.commands[ev.Command]; known && !slices.Contains(groupCommands, ev.Command) {
			return t.reply("group.command_private")
		}
		return s.onCommand(t)
	}
	conv, err := t.tx.Conversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil || conv.Flow != flowOfficer {
		return err
	}
	return s.officerInput(t, &conv)
}

func (s *Service) onCommand(t *turn) error {
	if run, ok := s.commands[t.ev.Command]; ok {
		return run(t)
	}
	return t.reply("command.unknown", bot.Escape("/"+t.ev.Command))
}

func (s *Service) onButton(t *turn) error {
	prefix, args := splitData(t.ev.Button.Data)
	if run, ok := s.buttons[prefix]; ok {
		return run(t, args)
	}
	return t.answer(t.text("button.stale"), false)
}

// onMessage handles anything that is not a command or a button: input to
// the current step, information a unit asked for, or a new petition.
func (s *Service) onMessage(t *turn) error {
	conv, err := s.currentConversation(t)
	if err != nil {
		return err
	}
	if conv != nil {
		if handled, err := s.answerInfoWhileWriting(t, conv); handled || err != nil {
			return err
		}
		switch conv.Flow {
		case flowPetition:
			return s.petitionInput(t, conv)
		case flowOfficer:
			return s.officerInput(t, conv)
		case flowSupplement, flowComment:
			return s.supplementInput(t, conv)
		case flowConsultation:
			return s.consultationInput(t, conv)
		case flowReception:
			return s.receptionInput(t, conv)
		case flowNotice:
			return s.noticeInput(t, conv)
		}
	}
	ev := t.ev
	if ev.Text != "" || mediaOf(ev, false) != nil {
		if handled, err := s.answerInfoRequest(t, time.Time{}); handled || err != nil {
			return err
		}
	}
	switch {
	case ev.Text != "" || mediaOf(ev, false) != nil || ev.Location != nil:
		return s.petitionStartWith(t, ev)
	case ev.Contact != nil:
		return t.reply("contact.outside_flow")
	case ev.Document != nil:
		return t.reply("input.document_unsupported")
	}
	return t.reply("input.unsupported")
}

// answerInfoWhileWriting passes on to a unit the answer to its request
// for information, made while the person was writing something else (a
// petition, a comment on a draft, a reception booking; or, for a member
// of staff who also filed a petition, a task's text or a notice) and
// after they last touched it: the request said to reply with a message,
// and a reply taken into what they were writing would never reach the
// unit — or, taken as a task's answer, would go to another person. What
// they were writing is kept; a button's label (Skip, Back, Cancel…) is
// its own.
func (s *Service) answerInfoWhileWriting(t *turn, conv *storage.Conversation) (bool, error) {
	ev := t.ev
	staffFlow := conv.Flow == flowOfficer || conv.Flow == flowNotice
	if !staffFlow && !slices.Contains([]string{flowPetition, flowConsultation, flowReception}, conv.Flow) ||
		ev.Text == "" && mediaOf(ev, false) == nil || s.labels[answerKey(ev.Text)] {
		return false, nil
	}
	handled, err := s.answerInfoRequest(t, conv.UpdatedAt)
	if !handled || err != nil {
		return handled, err
	}
	if staffFlow {
		return true, t.reply("flow.kept_after_info_staff")
	}
	return true, t.reply("flow.kept_after_info")
}

// cmdHelp explains the commands; staff also get theirs.
func (s *Service) cmdHelp(t *turn) error {
	staff, err := t.isStaff()
	if err != nil {
		return err
	}
	if t.ev.Chat.Group {
		return t.reply("help.staff")
	}
	if err := t.reply("help"); err != nil || !staff {
		return err
	}
	return t.reply("help.staff")
}

// privateButtons are the buttons of a person's own petitions and forms,
// which the bot puts in private chats only: pressed (or forged) in a
// group, they would show the person's petition to everyone there, or
// start a step whose answers the group does not take.
var privateButtons = []string{prefixPetition, prefixStatus, prefixRating, prefixAdd}

// groupCommands are the commands a linked group takes: the staff's, which
// act on the group's unit's tickets. The citizens' show the person's own
// data, and are for a private chat.
var groupCommands = append([]string{"linkgroup", "unlinkgroup", "help", "thongke"}, staffMenu...)

// fail wraps an internal error with the event it happened on, without any
// message content.
func fail(op string, err error) error { return fmt.Errorf("handlers: %s: %w", op, err) }
