package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Commands shown in the messenger's menu, per audience.
var (
	citizenMenu = []string{"new", "my", "gopy", "tiepdan", "thongke", "thongbao", "status", "cancel", "lang", "mydata", "help"}
	staffMenu   = []string{"inbox", "mine", "ticket", "reply", "resolve", "transfer", "note", "giahan", "khan", "thuong", "gop", "report", "lichtiep", "congbo", "cancel", "lang", "help"}
)

func commandMenu(chatID, lang string, staff bool) bot.Outgoing {
	names := citizenMenu
	if staff {
		names = staffMenu
	}
	texts := mustCatalog()
	cmds := make([]bot.Command, len(names))
	for i, n := range names {
		cmds[i] = bot.Command{Name: n, Description: texts.text(lang, "cmd."+n)}
	}
	return bot.Outgoing{Kind: bot.KindCommands, ChatID: chatID, Commands: cmds, Language: lang}
}

// QueueDefaultMenus queues the citizens' command menu for every language,
// once per version of the menu texts (the dedupe key is their hash).
func (s *Service) QueueDefaultMenus(ctx context.Context, store *storage.Store, channel string) error {
	for i, lang := range languages {
		menu := commandMenu("", lang, false)
		if i == 0 {
			menu.Language = "" // the default language is everyone else's menu too
		}
		raw, _ := json.Marshal(menu)
		sum := sha256.Sum256(raw)
		if err := enqueue(ctx, store, channel, menu, "menu:"+channel+":"+hex.EncodeToString(sum[:8])); err != nil {
			return err
		}
	}
	return nil
}

var catalogOnce = sync.OnceValues(loadCatalog)

func mustCatalog() catalog {
	c, err := catalogOnce()
	if err != nil {
		panic(err) // the catalogue is embedded; TestCatalogsMatch loads it
	}
	return c
}
