package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Result is the benchmark's one JSON object on stdout.
type Result struct {
	Mode  string         `json:"mode"` // "closed" or "open" loop, polling or webhook
	Flags map[string]any `json:"flags"`

	// DurationS is the whole load phase: the arrival window (-duration)
	// and the time the flows started in it took to finish. The per-second
	// figures are counted over the arrival window; the *_overall ones over
	// the whole phase.
	DurationS          float64 `json:"duration_s"`
	Updates            int64   `json:"updates"` // updates pushed on behalf of citizens and officers
	Replied            int64   `json:"updates_replied"`
	UpdatesPerS        float64 `json:"updates_per_s"`
	UpdatesPerSOverall float64 `json:"updates_per_s_overall"`
	P50Ms              float64 `json:"p50_ms"`
	P90Ms              float64 `json:"p90_ms"`
	P99Ms              float64 `json:"p99_ms"`
	MaxMs              float64 `json:"max_ms"`
	// ArrivalLagP99Ms and ArrivalLagMaxMs (open loop) are how late the
	// bench pushed the first update of a flow after its scheduled
	// arrival; the latencies count from the arrival.
	ArrivalLagP99Ms float64                `json:"arrival_lag_p99_ms,omitempty"`
	ArrivalLagMaxMs float64                `json:"arrival_lag_max_ms,omitempty"`
	Steps           map[string]stepLatency `json:"steps"` // latency per kind of step
	// CallbackAnswers is the latency of button presses to the answer to
	// their callback query, which only stops the button's spinner; a
	// press's latency above is to its first message.
	CallbackAnswers stepLatency `json:"callback_answers"`
	Flows           int64       `json:"flows_completed"` // filed, accepted, answered and rated
	Abandoned       int64       `json:"flows_cut_short"`
	// StepsFailed are steps the bench could not take: the fake refused
	// to take the update (a button on a message it does not have, say).
	// A flow cut short by one before its petition was sent would
	// otherwise lose its remaining steps unnoticed.
	StepsFailed int64 `json:"steps_failed"`

	verdict
	// LostMessages: replies a person waited for in vain (step timeouts)
	// plus outbox rows not sent after the drain.
	LostMessages int64 `json:"lost_messages"`
	LostReplies  int64 `json:"lost_replies"`
	// PressesWithoutReply are button presses one of whose awaited
	// messages (pressLedger) had not come by the end of the drain, by
	// step in PressesWithoutReplySteps.
	PressesWithoutReply      int64            `json:"presses_without_reply"`
	PressesWithoutReplySteps map[string]int64 `json:"presses_without_reply_steps,omitempty"`
	// RepeatedMessages are bot messages identical to the one before them
	// in the chat: resends of a delivery the bot believed had failed.
	RepeatedMessages int64 `json:"repeated_messages"`

	OutboundPerS float64 `json:"outbound_per_s"` // bot sends, edits and callback answers per second
	// OutboundPerSSustained is the best outbound rate held for 30 s while
	// messages waited in the outbox all along: what the sender achieves
	// when it is the bottleneck; OutboxBusyS is the longest time messages
	// waited all along. Zero when they never waited for 30 s.
	OutboundPerSSustained float64 `json:"outbound_per_s_sustained"`
	// OutboundMessagesPerS and OutboundMessagesPerSSustained are the same
	// for messages alone (sent and edited), without the callback answers
	// that Telegram's documented 30 messages/s may not count.
	OutboundMessagesPerS          float64 `json:"outbound_messages_per_s"`
	OutboundMessagesPerSSustained float64 `json:"outbound_messages_per_s_sustained"`
	OutboxBusyS                   float64 `json:"outbox_busy_s"`
	// InboxWaitingMax is the most updates seen waiting to be handled at
	// any 1 s sample: whether intake kept flowing.
	InboxWaitingMax      int64 `json:"inbox_waiting_max"`
	Status429            int   `json:"status_429"`
	RetryAfterViolations int   `json:"retry_after_violations"`
	// Status409 counts getUpdates calls the fake ended with 409 Conflict:
	// a second call while one was open (two replicas polling at once, or
	// a poller's own call it had given up as stalled), or a webhook set.
	// GetUpdatesByReplica is how many were answered for each replica:
	// polling replicas elect one poller, the others stand by.
	Status409           int64         `json:"status_409"`
	GetUpdatesByReplica map[int]int64 `json:"get_updates_by_replica,omitempty"`

	DBCommitsPerS        float64 `json:"db_commits_per_s"`
	DBCommitsPerSOverall float64 `json:"db_commits_per_s_overall"`
	// DBWALSyncsPerS counts the server's WAL flushes: the durable commits'
	// disk work, which group commit shares among the commits waiting.
	DBWALSyncsPerS float64 `json:"db_wal_syncs_per_s,omitempty"`
	// DBWALBytesPerUpdate is the WAL written per update handled: the
	// volume of the durable work, where the flushes are its count.
	DBWALBytesPerUpdate float64 `json:"db_wal_bytes_per_update,omitempty"`
	BaselineInsertTPS   float64 `json:"baseline_insert_tps"`
	RatioVsBaseline     float64 `json:"ratio_vs_baseline"`
	// BaselineConnections is how many connections the baseline ran, after
	// the load; BaselineConnectionsFrom says why: the bot's busiest moment
	// (bot_connections_busy_max) unless -baseline-conns was given.
	BaselineConnections     int    `json:"baseline_connections"`
	BaselineConnectionsFrom string `json:"baseline_connections_from"`
	// BotConnectionsBusyMax is the most of the bot's database connections
	// seen busy (running a statement or in a transaction) at once, sampled
	// every 20 ms over the run; BotConnectionsOpenMax the most open.
	BotConnectionsBusyMax int64 `json:"bot_connections_busy_max"`
	BotConnectionsOpenMax int64 `json:"bot_connections_open_max"`
	// BaselineCPUMsPerInsert is the CPU (client and server) of one insert
	// of the baseline, to hold against cpu.ms_per_update.total.
	BaselineCPUMsPerInsert    float64    `json:"baseline_cpu_ms_per_insert,omitempty"`
	BaselineWALSyncsPerS      float64    `json:"baseline_wal_syncs_per_s,omitempty"`
	BaselineWALBytesPerInsert float64    `json:"baseline_wal_bytes_per_insert,omitempty"`
	CPU                       *cpuReport `json:"cpu,omitempty"`
	RSSMB                     float64    `json:"rss_mb"` // max VmHWM over the bot processes
	// RSSTotalMB adds up the replicas' peaks (with -replicas; the same as
	// rss_mb for one).
	RSSTotalMB float64 `json:"rss_total_mb"`

	Faults *faultReport `json:"faults,omitempty"`
	Jobs   *jobsReport  `json:"jobs,omitempty"`
	Hold   *holdReport  `json:"hold,omitempty"`
	Sweep  []Result     `json:"sweep,omitempty"`
	Chart  string       `json:"chart,omitempty"`
}

// flagsOf lists the options as they were given.
func flagsOf(o *Options) map[string]any {
	return map[string]any{
		"citizens": o.Citizens, "officers": o.Officers, "rate": o.Rate, "poisson": o.Poisson,
		"duration": o.Duration.String(), "limits": o.Limits, "rtt": o.RTT.String(), "mode": o.Mode,
		"replicas": o.Replicas, "fault": o.Fault, "kills": o.Kills, "workers": o.Workers,
		"database_url_given": o.DatabaseURL != "", "baseline_conns": o.BaselineConns,
		"baseline_duration": o.BaselineDuration.String(), "step_timeout": o.StepTimeout.String(),
		"drain": o.Drain.String(), "jobs_check": o.JobsCheck.String(), "sweep": o.Sweep, "smoke": o.Smoke, "seed": o.Seed,
		"bot_send_limits": botSendLimits(o), "hold": o.Hold,
	}
}

// botSendLimits says whether the bot paces its sending as for Telegram
// (its SEND_RATE and CHAT_SEND_RATE defaults) or runs with them lifted.
func botSendLimits(o *Options) string {
	if o.Limits {
		return "telegram"
	}
	return "lifted"
}

// Failure is why the run must fail CI ("" if it passed): a message lost,
// a press whose reply never came, a ticket duplicated, one stored too few
// or too many, a petition with no ticket or a ticket with no petition, a
// step the bench could not take, a fault not injected as its mode
// claims, with -jobs-check a scheduled job's slot run twice or not at
// all or a reminder delivered twice, or, in -hold mode, fewer
// conversations in progress than citizens held. Latency figures such as
// p99 are informational.
func (r Result) Failure() string {
	var why []string
	if r.LostMessages > 0 {
		why = append(why, fmt.Sprintf("lost_messages %d", r.LostMessages))
	}
	if r.PressesWithoutReply > 0 {
		why = append(why, fmt.Sprintf("presses_without_reply %d", r.PressesWithoutReply))
	}
	if r.DuplicateTickets > 0 {
		why = append(why, fmt.Sprintf("duplicate_tickets %d", r.DuplicateTickets))
	}
	if r.TicketsStored != r.TicketsExpected {
		why = append(why, fmt.Sprintf("tickets_stored %d != tickets_expected %d", r.TicketsStored, r.TicketsExpected))
	}
	// The counts may agree while the tickets do not: a petition lost and
	// a ticket no petition of this run filed.
	if r.MissingTickets > 0 || r.UnexpectedTickets > 0 {
		why = append(why, fmt.Sprintf("missing_tickets %d, unexpected_tickets %d", r.MissingTickets, r.UnexpectedTickets))
	}
	if r.StepsFailed > 0 {
		why = append(why, fmt.Sprintf("steps_failed %d", r.StepsFailed))
	}
	if f := r.Faults.failure(); f != "" {
		why = append(why, f)
	}
	if f := r.Jobs.failure(); f != "" {
		why = append(why, f)
	}
	if h := r.Hold; h != nil && h.InProgress != int64(h.Citizens) {
		why = append(why, fmt.Sprintf("conversations_in_progress %d != hold_citizens %d", h.InProgress, h.Citizens))
	}
	for _, s := range r.Sweep {
		if f := s.Failure(); f != "" {
			why = append(why, fmt.Sprintf("sweep rate %v: %s", s.Flags["rate"], f))
		}
	}
	return strings.Join(why, "; ")
}

// Write prints the result as one JSON object.
func (r Result) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
