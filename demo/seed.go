package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/org"
	"github.com/danvan-vn/danvan/storage"
)

const channel = "telegram"

// seed makes the sandbox's world exist: the sample organisation (imported
// at every start; an import changes nothing the second time), the staff
// (each joins with an invitation, through the bot, as a real officer
// would), the group linked to the sample ward, and the citizens' first
// /start. What a kept database already has is not done again.
func seed(ctx context.Context, store *storage.Store, api *telegramtest.Server, c *cast, now func() time.Time, logger *slog.Logger) error {
	f, err := parseSample()
	if err != nil {
		return err
	}
	changes, err := org.Apply(ctx, store, f)
	if err != nil {
		return fmt.Errorf("import the sample organisation: %w", err)
	}
	if !changes.Empty() {
		logger.Info("sample organisation imported", "changes", changes.String())
	}
	if err := receptionHours(ctx, store, now()); err != nil {
		return err
	}
	if err := joinStaff(ctx, store, api, c, now); err != nil {
		return err
	}
	if err := linkGroup(ctx, store, api, c); err != nil {
		return err
	}
	for _, ch := range c.chats {
		if ch.Kind == kindCitizen {
			if _, err := api.PushMessage(telegramtest.Incoming{From: ch.actor, Text: "/start"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// sampleReceptions are the weekly citizen receptions the sandbox offers
// (/tiepdan): the sample ward's and the city's.
var sampleReceptions = []struct {
	unit    string
	weekday time.Weekday
	place   string
}{
	{sampleWard, time.Thursday, "Trụ sở UBND phường Hòa Cường, 125 Núi Thành"},
	{cityUnit, time.Tuesday, "Trụ sở Tiếp công dân thành phố, 24 Trần Phú"},
}

// receptionHours gives the sample units their reception hours, unless
// they have some already.
func receptionHours(ctx context.Context, store *storage.Store, now time.Time) error {
	for _, r := range sampleReceptions {
		u, err := store.UnitByCode(ctx, r.unit)
		if err != nil {
			return fmt.Errorf("demo: reception of %s: %w", r.unit, err)
		}
		hours, err := store.UnitReceptionHours(ctx, u.ID)
		if err != nil {
			return err
		}
		if len(hours) > 0 {
			continue
		}
		err = store.SetReceptionHours(ctx, storage.ReceptionHours{UnitID: u.ID, Weekday: r.weekday, Starts: "07:30",
			Ends: "11:00", Place: r.place, Capacity: 10}, now)
		if err != nil {
			return err
		}
	}
	return nil
}

func roleKey(chatID, unit, role string) string { return chatID + "/" + unit + "/" + role }

// missingRoles lists the cast's roles the database does not have yet.
func missingRoles(ctx context.Context, store *storage.Store, c *cast) ([]staffRole, error) {
	officers, err := store.Officers(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, o := range officers {
		if o.Channel == channel {
			have[roleKey(o.ChatID, o.UnitCode, o.Role)] = true
		}
	}
	var missing []staffRole
	for _, s := range c.staff {
		if !have[roleKey(strconv.FormatInt(s.user.ID, 10), s.unit, s.role)] {
			missing = append(missing, s)
		}
	}
	return missing, nil
}

func joinStaff(ctx context.Context, store *storage.Store, api *telegramtest.Server, c *cast, now func() time.Time) error {
	missing, err := missingRoles(ctx, store, c)
	if err != nil || len(missing) == 0 {
		return err
	}
	for _, s := range missing {
		unit, err := store.UnitByCode(ctx, s.unit)
		if err != nil {
			return fmt.Errorf("unit %s: %w", s.unit, err)
		}
		code := "DEMO-" + rand.Text()[:10]
		if err := store.CreateInvite(ctx, unit.ID, s.role, handlers.HashInvite(code), now().Add(24*time.Hour)); err != nil {
			return err
		}
		if _, err := api.PushMessage(telegramtest.Incoming{From: s.user, Text: "/join " + code}); err != nil {
			return err
		}
	}
	return waitFor(ctx, "the staff to join", func() (bool, error) {
		missing, err := missingRoles(ctx, store, c)
		return len(missing) == 0, err
	})
}

func linkGroup(ctx context.Context, store *storage.Store, api *telegramtest.Server, c *cast) error {
	if err := api.AddChat(c.group.tg); err != nil {
		return err
	}
	linked := func() (bool, error) {
		_, err := store.GroupUnit(ctx, channel, strconv.FormatInt(c.group.ID, 10))
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	if ok, err := linked(); ok || err != nil {
		return err
	}
	if _, err := api.PushMessage(telegramtest.Incoming{Chat: &c.group.tg, From: c.linker, Text: "/linkgroup " + c.group.Unit}); err != nil {
		return err
	}
	return waitFor(ctx, "the group to be linked", linked)
}

// waitFor polls done until it reports true; the bot handles the pushed
// commands within a second or so.
func waitFor(ctx context.Context, what string, done func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: waiting for %s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
