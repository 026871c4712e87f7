// Package bench drives the real danvan binary against the in-process fake
// Telegram Bot API and a durable PostgreSQL, with scripted citizens and
// officers, and reports throughput, latency and whether anything was lost
// or duplicated, also under injected faults. cmd/danvan-bench is its
// command line:
//
//	go run ./cmd/danvan-bench -smoke                       # CI: a tiny run, under a minute
//	go run ./cmd/danvan-bench -citizens 50 -duration 60s   # closed loop
//	go run ./cmd/danvan-bench -rate 20 -limits -rtt 50ms   # open loop, Telegram's limits, 50 ms RTT
//	go run ./cmd/danvan-bench -fault kill -kills 5         # also api, storm, pgrestart, pgcrash, replica-kill, flood
//	go run ./cmd/danvan-bench -mode polling -fault replica-kill   # three polling replicas, the poller killed
//	go run ./cmd/danvan-bench -sweep 5,10,20,40 -chart sweep.png
//	go run ./cmd/danvan-bench -hold 100000 -citizens 50     # memory with 10^5 petitions mid-way
//
// The command exits 1 after printing the JSON when lost_messages > 0,
// presses_without_reply > 0, duplicate_tickets > 0, tickets_stored !=
// tickets_expected, missing_tickets > 0, unexpected_tickets > 0 or
// steps_failed > 0 (with -hold also when the conversations in progress
// are not -hold), giving the reason on stderr; latency figures are
// informational.
//
// Without -limits the fake enforces none of Telegram's flood limits and
// the bot runs with SEND_RATE and CHAT_SEND_RATE at 10^6, its own pacing
// lifted too (flags.bot_send_limits "lifted"); with -limits it keeps its
// defaults ("telegram").
//
// -hold N is a memory mode: N citizens each send /start, press «Gửi phản
// ánh» and the kind «Phản ánh», and stop there with the petition
// conversation stored; -citizens at a time, or arriving at -rate
// updates/s. When all are held the bench reads VmRSS and VmHWM of the
// bot process ("hold": rss_mb, rss_peak_mb) and counts the petition
// conversations stored for their chats (conversations_in_progress).
//
// The bench builds ./cmd/danvan once and runs `danvan run` processes
// (one, or -replicas: polling ones elect one poller through PostgreSQL and
// the others stand by, webhook ones share the updates behind the bench's
// own distributor), configured as in production through the environment.
// Each replica calls the fake under a path of its own, so the bench knows
// which one polls (get_updates_by_replica). With no -database-url it starts a
// private PostgreSQL with fsync and synchronous_commit on in a temporary
// directory: the figures are about durable commits, and a -database-url
// whose sessions would have either off is refused. It imports
// examples/org.yaml with `danvan admin import`, invites one officer per
// ward unit (more with -officers), and each officer joins with /join.
//
// A citizen files a petition the way a person does, waiting for each reply
// before the next step: /start, «Gửi phản ánh», kind, category, the city,
// the ward, the description, a photo, «Tiếp tục», «Bỏ qua» for the phone,
// «Không cần» for confidentiality, and «✅ Gửi phản ánh», which gives the
// PA-YYYY-NNNNNN receipt. The ward's officer accepts the card's ticket with
// «✅ Tiếp nhận» and answers it with /resolve; the citizen rates the answer
// «Rất hài lòng». That is 15 updates per petition (updatesPerFlow).
//
// Faults (-fault): kill SIGKILLs the bot -kills times, once at a time
// drawn from -seed in each of -kills equal windows of the middle 80% of
// -duration, and restarts it; api makes 10% of Bot API calls fail; storm
// answers every send 429 for 10 s; pgrestart stops PostgreSQL gracefully
// (pg_ctl stop -m fast, which flushes the WAL) for 3 s; pgcrash stops it
// as a crash would (SIGQUIT to the postmaster, as pg_ctl stop -m
// immediate: the sender's commits, which do not wait for the WAL to be
// flushed, may be lost, so messages may go out twice, counted in
// repeated_messages) for 3 s, at a time drawn from -seed; replica-kill
// runs three webhook replicas and SIGKILLs the one that holds the sender
// role (the live replica with the highest danvan_telegram_sent_total) at
// a time drawn in the middle 40% of -duration; with -mode polling it runs
// three polling replicas and SIGKILLs, at such a time, the one that polls
// (whose getUpdates the fake answered last), and poller_takeover_s is how
// long intake stopped: from the kill to the first getUpdates call another
// replica made that the fake answered (timed at the call, as a long poll
// is answered only when an update comes). With -jobs-check, after the load, it also kills the
// replica running the reminders job in the middle of a run (see jobs
// below). flood has one account (id 800000000, no scripted person) send
// -flood-rate text messages a second over the middle 60% of -duration,
// far faster than one chat's updates are handled; faults.flood says how
// many were sent, handled, shed (the bot's CHAT_BACKLOG, set with
// -chat-backlog, 0 for no limit, and its CHAT_RATE, set with -chat-rate)
// and still waiting after the drain, and how many notices the account
// got. The bench runs the bot with CHAT_RATE 0 (no limit) unless
// -chat-rate says otherwise: its scripted people answer at a machine's
// speed, and a closed loop of a few would be shed as a flood. A message none of these is lost and
// fails the run; the flood's replies are left out of repeated_messages.
//
// Definitions of the figures (see Result):
//
//   - latency of an update: from the moment it is available at the fake to
//     the first message the bot sends or edits in reply, what a person
//     waits for, both as timestamped by the fake; the fake reports the
//     bot's activity through telegramtest.Config.OnBotActivity to one
//     mailbox per chat, so 10^4 to 10^5 chats cost no polling. A button
//     press's callback answer, which only stops the button's spinner,
//     is not its reply: callback_answers gives the presses' latency to
//     it apart (n, p50_ms, p99_ms). A step waits for the last message its
//     update causes before the next is pushed: the bot sends a chat's
//     messages one at a time in order, so no part of one step's reply is
//     taken for the next's (answers skip that order and count only for
//     their own query). For officers, who work on many tickets at once,
//     the first message about that ticket: the accept is timed to its
//     card's edit. An officer goes on to /resolve as soon as the accept
//     is answered or the card edited, as a person seeing either would;
//     an edit that comes after is counted for the accept, not taken for
//     the /resolve's reply. In the open loop the first
//     update of a flow counts from its scheduled arrival when the bench
//     pushed it later than that (it waited for the CPU too): a late push
//     must not hide the wait (coordinated omission); arrival_lag_p99_ms
//     and arrival_lag_max_ms say how late the pushes were.
//   - updates_per_s, outbound_per_s, db_commits_per_s: counted over the
//     arrival window (-duration); *_overall over the whole load phase.
//   - outbound_messages_per_s and outbound_messages_per_s_sustained: the
//     same as outbound_per_s and outbound_per_s_sustained (the best 30 s
//     window of their own) for messages alone, sent and edited, without
//     the callback answers, which Telegram's documented 30 messages per
//     second may not count.
//   - outbound_per_s_sustained: the best average over 30 s of the bot's
//     sends, edits and button answers (what its global limit counts) while
//     messages waited in the outbox at every 1 s sample, that is while
//     sending was the bottleneck; outbox_busy_s is the longest stretch in
//     which they waited all along; inbox_waiting_max the most updates seen
//     waiting to be handled at any sample (intake flowing keeps it small).
//   - lost_messages: replies a person waited for in vain (-step-timeout),
//     plus outbox rows not sent after the drain (pending or failed), less
//     failed callback answers that lost nothing: those the fake did record
//     (an attempt the bot saw fail had been applied), alerts whose text the
//     bot sent as a message once the query had expired, and toasts and
//     empty answers refused because the query had expired (Telegram's 400
//     "query is too old"; they only stop the button's spinner, which the
//     app does itself at expiry, and confirm what the edited message
//     shows). The three are reported apart; a toast given up for any other
//     reason is lost.
//   - presses_without_reply: button presses one of whose awaited messages
//     had not come by the end of the drain, by step in
//     presses_without_reply_steps. Each scripted press awaits what it
//     must produce: every step of a petition the next question, the
//     confirmation the receipt with the ticket's code, the rating the
//     thanks and the offer to comment, the officer's accept the card's
//     edit and the citizen told (a message naming the code, in whatever
//     chat). lost_messages misses such a press: the bot queued nothing
//     for it, so no outbox row is left unsent, and a person who went on
//     after the callback answer (an officer) never timed out on it. A
//     press whose reply a person waited for in vain also counts in
//     lost_replies.
//   - retry_after_violations: requests the fake answered or flagged while
//     a retry_after it had given for their scope (the chat, the bot, the
//     method) still ran, replayed from every 429 it answered: the fake's
//     own flag misses those that an injected 429 (-fault storm) answered
//     first.
//   - status_409: getUpdates calls the fake ended with 409 Conflict, as
//     Telegram does when a second call comes while one is open: 0 unless
//     two replicas polled at once (the election failed), the poller asked
//     again while a call it had given up as stalled was still open, or a
//     webhook was set. get_updates_by_replica counts the getUpdates
//     answered for each replica: one poller, and with replica-kill in
//     polling mode the one that took over.
//   - duplicate_tickets: tickets beyond one per petition sent; each
//     petition's text is unique to the run, citizen and flow.
//   - db_wal_syncs_per_s: the server's WAL flushes to disk per second over
//     the arrival window (pg_stat_wal.wal_sync; left out before
//     PostgreSQL 14 or when the server was restarted). db_commits_per_s
//     counts every commit of the bot's, the sender's, which do not wait
//     for a flush, included, but not the bench's own sampling statements
//     (one transaction each, taken off pg_stat_database's count); the flushes are the durable work, and group commit lets
//     one serve every commit waiting for it. db_wal_bytes_per_update is
//     the WAL written over the window per update handled in it
//     (pg_stat_wal.wal_bytes): the durable work's volume where the flushes
//     are its count. baseline_wal_syncs_per_s and
//     baseline_wal_bytes_per_insert are the same over the baseline.
//   - baseline_insert_tps: single-row autocommit INSERTs into a scratch
//     table on the same database, each in one round trip as the bot's
//     statements are (lib/pq's binary_parameters), after the run with the
//     bot stopped, on
//     baseline_connections connections: bot_connections_busy_max, the
//     most of the bot's connections seen busy (running a statement or in
//     a transaction) at once in pg_stat_activity, sampled every 20 ms over
//     the run, unless -baseline-conns says otherwise
//     (baseline_connections_from says which); ratio_vs_baseline =
//     updates_per_s / baseline_insert_tps. "The same number of
//     connections" as the bot is the number it uses at once, not the
//     number it holds open (bot_connections_open_max): in 20 s closed
//     loops of 150 and 300 citizens a sampler every 5 ms saw at most 7
//     busy (4 or 5 most of the time), as the bench's own did, while 14-16
//     were open all along. The rest are its pools' idle connections
//     (storage keeps up to half of each pool when idle) and the sender's
//     lead, a session that only holds an advisory lock: none of them
//     commits. The baseline's rate grows with its connections (group
//     commit: 4, 7, 10, 14 and 18 gave about 900, 1,350, 1,850, 2,300 and
//     2,850 inserts/s on a machine bound by its disk, 16 gave 20-60% more
//     than 7 half an hour later), so the open count would measure the bot
//     against a concurrency it never used.
//   - rss_mb: the largest VmHWM of any bot process; rss_total_mb the
//     replicas' peaks added up (each the largest of the processes that ran
//     as that replica), an upper bound of what they held together.
//   - cpu: the CPU (user and system) each part used over the arrival
//     window, from /proc and getrusage: bot_s (every bot process, those
//     killed and reaped in the window included), bench_s (this process:
//     the scripted people, the fake Bot API and the distributor) and
//     postgres_s (the private server's postmaster and every backend and
//     helper; left out with -database-url or when -fault pgrestart or
//     pgcrash replaced the server); busy_share of all the cores' time; the same
//     per update handled (ms_per_update); and bench_bound_updates_per_s,
//     cores divided by the bench's own CPU per update: the rate at which
//     the load generator alone would keep every core busy, so a bound on
//     updates_per_s on this machine whatever the bot and the database
//     cost.
//   - jobs (-jobs-check): after the load the replicas run the reminders
//     job every minute for the flag's duration. The bench makes today a
//     working day and a ticket of each unit (up to 10) due tomorrow, so
//     the job has reminders to queue, and cuts off one run: a trigger of
//     its own on outbox holds the first run that queues a reminder for 5
//     s inside its transaction, and the bench SIGKILLs the replica whose
//     connection sleeps there (strike: which, when). Every claim and
//     finish of a slot is recorded by another trigger, on job_runs (which
//     keeps one row per slot however many runs claimed it). The command
//     exits 1 unless a run was cut off, every slot claimed was finished
//     without error by exactly one run (successes_per_slot_max 1,
//     slots_unfinished 0; slots_run_again counts the slots claimed again
//     after a cut-off run), no minute from when every replica was up went
//     unclaimed (slots_missed 0) and no reminder was delivered twice
//     (duplicate_reminders 0): reminders_delivered counts the reminders
//     the staff's chats received at the fake, and duplicate_reminders
//     those beyond one per chat, unit (of the first ticket listed) and
//     day, the job's unit of work however many slots run in it.
//     reminders_queued and units_reminded count the outbox's reminder
//     rows, which the bot's dedupe key keeps to one per unit, chat and
//     day, so they cannot show a duplicate: the deliveries can (a send
//     whose record was lost, a reminder queued under another key).
//   - baseline_cpu_ms_per_insert: the bench's and the private server's
//     CPU over the baseline, per insert: what a bare insert costs, to
//     hold against cpu.ms_per_update.total.
package bench
