package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// The fake Bot API forgets everything when it stops, but Telegram keeps a
// bot's command menus, and the bot sets each only once: the citizens' menu
// per version of its texts, a staff member's when they join. So the
// sandbox keeps the menus beside its database when it stops and gives them
// back to the fake before the bot starts again; without them every chat
// lost its ☰ menu at the second run.

const menusFile = "menus.json"

// saveMenus writes the fake's command menus to dir.
func saveMenus(dir string, api *telegramtest.Server) error {
	data, err := json.Marshal(api.Commands())
	if err != nil {
		return err
	}
	file := filepath.Join(dir, menusFile)
	if err := os.WriteFile(file+".tmp", data, 0o600); err != nil {
		return err
	}
	return os.Rename(file+".tmp", file)
}

// restoreMenus sets the menus saved in dir on the fake, through its Bot
// API as the bot would.
func restoreMenus(ctx context.Context, dir string, api *telegramtest.Server) error {
	data, err := os.ReadFile(filepath.Join(dir, menusFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var sets []telegramtest.CommandSet
	if err := json.Unmarshal(data, &sets); err != nil {
		return fmt.Errorf("demo: %s: %w", menusFile, err)
	}
	for _, set := range sets {
		cmds, _ := json.Marshal(set.Commands)
		scope, _ := json.Marshal(set.Scope)
		form := url.Values{"commands": {string(cmds)}, "scope": {string(scope)}}
		if set.LanguageCode != "" {
			form.Set("language_code", set.LanguageCode)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, api.URL+"/bot"+api.Token()+"/setMyCommands", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("demo: restoring a command menu: %s", body)
		}
	}
	return nil
}
