// Package telegramtest is an in-process fake of the Telegram Bot API.
//
// It reproduces the behaviour of Telegram's Bot API that danvan depends
// on: /bot<token>/<method> routing and the {"ok":...}
// envelope, long polling with offset confirmation, redelivery, blocking
// timeouts and 409 conflicts, Telegram-like validation of texts, HTML and
// MarkdownV2 entities and keyboards, callback queries, edits, files,
// group privacy mode (on by default, as on Telegram: in a group the bot
// gets only commands, replies to its messages and mentions of it; set
// Config.ReadAllGroupMessages to turn it off), webhook delivery with the
// secret header and retries, flood control with retry_after, and fault
// injection.
//
// The package does not import "testing": the same server backs scenario
// tests and the browser sandbox. A typical test:
//
//	srv := telegramtest.NewServer(telegramtest.Config{})
//	defer srv.Close()
//	bot, _ := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), http.DefaultClient)
//	// ... start the bot loop with bot ...
//	p := srv.PushCommand(citizen, "/start")
//	menu, err := srv.WaitReply(ctx, p, telegramtest.HasButton("Gửi kiến nghị"))
//	press, err := srv.PressButton(citizen, citizen.ID, menu.ID, "Gửi kiến nghị")
//	answer, err := srv.WaitCallbackAnswer(ctx, press.CallbackQueryID)
//
// Files: server.go (routing, envelope, lifecycle), params.go (request
// decoding), updates.go (queue and getUpdates), messages.go (send, edit,
// delete, copy, forward), markup.go (keyboards), entities.go, html.go and
// markdown.go (parse modes), callbacks.go, commands.go, files.go,
// flood.go, webhook.go, faults.go, control.go (playing users) and query.go
// (inspecting what the bot did).
//
// All methods of *Server are safe for concurrent use.
package telegramtest
