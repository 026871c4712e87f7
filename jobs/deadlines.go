package jobs

import (
	"context"
	"time"

	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// channel the scheduled messages go out on.
const channel = "telegram"

// inTx runs one piece of scheduled handler work in a transaction, so its
// state changes and the messages they cause commit together.
func inTx(store *storage.Store, fn func(ctx context.Context, tx *storage.Store) error) func(context.Context, time.Time) error {
	return func(ctx context.Context, _ time.Time) error {
		return store.InTx(ctx, func(tx *storage.Store) error { return fn(ctx, tx) })
	}
}

// Reminders sends each unit its tickets due soon or overdue, every working
// morning.
func Reminders(store *storage.Store, service *handlers.Service, schedule string) Job {
	return Job{Name: "reminders", Schedule: schedule, CatchUp: 6 * time.Hour,
		Run: inTx(store, func(ctx context.Context, tx *storage.Store) error {
			return service.RemindUnits(ctx, tx, channel)
		})}
}

// Escalations tells leaders about tickets that passed their deadline. It
// runs often; each ticket is escalated once per step however often it runs.
func Escalations(store *storage.Store, service *handlers.Service, policy handlers.ClockPolicy) Job {
	return Job{Name: "escalations", Schedule: "*/10 * * * *", RunAtStart: true,
		Run: inTx(store, func(ctx context.Context, tx *storage.Store) error {
			return service.Escalate(ctx, tx, channel, policy)
		})}
}

// RatingFollowUp reminds citizens to rate answers and closes unrated ones.
func RatingFollowUp(store *storage.Store, service *handlers.Service, policy handlers.ClockPolicy) Job {
	return Job{Name: "rating-follow-up", Schedule: "5 * * * *", RunAtStart: true,
		Run: inTx(store, func(ctx context.Context, tx *storage.Store) error {
			return service.CloseUnrated(ctx, tx, channel, policy)
		})}
}

// ReceptionReminders reminds citizens of tomorrow's receptions and tells
// the units whom they receive. It runs hourly in the daytime so that one
// missed run costs no reminder, and never at night; the evening's last
// run, if cut off, is caught up (or resumed by another replica) within the
// hour, before the day it looks ahead from is over.
func ReceptionReminders(store *storage.Store, service *handlers.Service) Job {
	return Job{Name: "reception-reminders", Schedule: "15 8-20 * * *", CatchUp: time.Hour,
		Run: inTx(store, func(ctx context.Context, tx *storage.Store) error {
			return service.RemindReceptions(ctx, tx, channel)
		})}
}
