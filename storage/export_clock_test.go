package storage

// The reminders' and escalations' statements, for tests of their plans.
var (
	TicketsDueQuery        = ticketsDueQuery
	ClaimOverdueQuery      = claimOverdueQuery
	ClaimStillOverdueQuery = claimStillOverdueQuery
)
