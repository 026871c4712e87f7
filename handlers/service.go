// Package handlers holds danvan's conversations and ticket workflow. It sees
// only normalised bot.Events and writes replies to the outbox in the same
// transaction as the state change, so nothing is lost or sent twice.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Config tunes the handlers.
type Config struct {
	// BotUsername builds deep links (t.me/<bot>?start=...). Optional.
	BotUsername string
	// Now is the clock; nil means time.Now. The sandbox injects its own.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service handles events.
type Service struct {
	cfg      Config
	texts    catalog
	logger   *slog.Logger
	commands map[string]commandFunc
	buttons  map[string]buttonFunc
}

type commandFunc func(t *turn) error

// buttonFunc handles a button press; args are the data after the prefix.
type buttonFunc func(t *turn, args []string) error

// New builds the handlers.
func New(cfg Config) (*Service, error) {
	texts, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, texts: texts, logger: cfg.Logger}
	s.commands = map[string]commandFunc{
		"start":  s.cmdStart,
		"new":    s.cmdNew,
		"my":     s.cmdMy,
		"status": s.cmdStatus,
		"cancel": s.cmdCancel,
		"lang":   s.cmdLang,
		"help":   s.cmdHelp,
	}
	s.buttons = map[string]buttonFunc{
		prefixPetition: s.petitionButton,
		prefixMenu:     s.menuButton,
		prefixLanguage: s.languageButton,
		prefixStatus:   s.statusButton,
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// Handle processes one event inside tx: every state change and every reply
// it causes commit together.
func (s *Service) Handle(ctx context.Context, tx *storage.Store, ev bot.Event) error {
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

// Groups are for officers (linked units); citizens use private chats.
// Until a group is linked, the bot stays quiet there except for commands.
func (s *Service) handleGroup(t *turn) error {
	if t.ev.Command == "" && t.ev.Button == nil {
		return nil
	}
	return t.reply("group.private_only")
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
// the current step, or the start of a new petition.
func (s *Service) onMessage(t *turn) error {
	conv, err := s.currentConversation(t)
	if err != nil {
		return err
	}
	if conv != nil {
		return s.petitionInput(t, conv)
	}
	ev := t.ev
	switch {
	case ev.Text != "" || ev.Photo != nil || ev.Location != nil:
		return s.petitionStartWith(t, ev)
	case ev.Contact != nil:
		return t.reply("contact.outside_flow")
	case ev.Document != nil:
		return t.reply("input.document_unsupported")
	}
	return t.reply("input.unsupported")
}

func (s *Service) cmdHelp(t *turn) error { return t.reply("help") }

// fail wraps an internal error with the event it happened on, without any
// message content.
func fail(op string, err error) error { return fmt.Errorf("handlers: %s: %w", op, err) }
