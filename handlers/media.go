package handlers

import (
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// media is the photo or file a message carries, as a ticket keeps it.
type media struct {
	file     bot.File
	document bool // sent as a file: it goes out again as one
}

// mediaOf returns what a message carries that a ticket takes: a photo, or
// a file sent as a document when it is an image or anyFile allows any
// (an officer's answer may be the signed reply in PDF). nil otherwise.
func mediaOf(ev bot.Event, anyFile bool) *media {
	switch {
	case ev.Photo != nil:
		return &media{file: *ev.Photo}
	case ev.Document != nil && (anyFile || strings.HasPrefix(ev.Document.MIME, "image/")):
		return &media{file: *ev.Document, document: true}
	}
	return nil
}

// refuseFile tells the person that the file they sent is not taken (a
// ticket keeps images only), and reports whether it did. The caption goes
// with it: taken alone, it would stand for a file the person thinks sent.
func (t *turn) refuseFile() (bool, error) {
	if t.ev.Document == nil || mediaOf(t.ev, false) != nil {
		return false, nil
	}
	return true, t.reply("input.document_unsupported")
}

// draftPhoto is m as a petition draft keeps it.
func (m *media) draftPhoto() draftPhoto {
	return draftPhoto{ID: m.file.ID, UniqueID: m.file.UniqueID, Document: m.document}
}

// kind is the attachment's kind as tickets keep it.
func (m *media) kind() string {
	if m.document {
		return "document"
	}
	return "photo"
}

// attachment is m as a ticket's attachment, added by by.
func (m *media) attachment(t *turn, ticketID int64, by string) storage.Attachment {
	return storage.Attachment{TicketID: ticketID, Channel: t.ev.Channel, Kind: m.kind(),
		FileID: m.file.ID, FileUniqueID: m.file.UniqueID, AddedBy: by}
}

// message is m sent again to chatID, with caption.
func (m *media) message(chatID, caption string) bot.Outgoing {
	o := bot.Outgoing{Kind: bot.KindPhoto, ChatID: chatID, FileID: m.file.ID, Text: caption}
	if m.document {
		o.Kind = bot.KindDocument
	}
	return o
}
