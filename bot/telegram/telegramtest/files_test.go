package telegramtest

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func download(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestPushedPhotoCanBeDownloaded(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	img := SamplePhoto(1000, 750)
	p := srv.PushPhoto(citizen, img, "Ổ gà trên đường")

	ups := poll(t, bot, 0, 0)
	m := ups[0].Message
	if len(m.Photo) < 3 || m.Caption != "Ổ gà trên đường" {
		t.Fatalf("photo sizes %d caption %q", len(m.Photo), m.Caption)
	}
	largest := m.Photo[len(m.Photo)-1]
	if largest.FileID != p.FileID || largest.Width != 1000 || largest.Height != 750 || largest.FileUniqueID == "" {
		t.Fatalf("largest %+v", largest)
	}
	if m.Photo[0].Width != 90 || m.Photo[0].Height != 67 {
		t.Fatalf("smallest %+v", m.Photo[0])
	}

	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: largest.FileID})
	if err != nil {
		t.Fatal(err)
	}
	if f.FileSize != len(img) || f.FilePath == "" {
		t.Fatalf("file %+v", f)
	}
	// File.Link ignores custom endpoints (pitfall 9), so build the URL.
	status, body := download(t, srv.URL+"/file/bot"+bot.Token+"/"+f.FilePath)
	if status != 200 || !bytes.Equal(body, img) {
		t.Fatalf("download %d, %d bytes", status, len(body))
	}
	// A thumbnail is a real, smaller image.
	thumb, _ := bot.GetFile(tgbotapi.FileConfig{FileID: m.Photo[0].FileID})
	if status, body := download(t, srv.FileURL(thumb.FilePath)); status != 200 || len(body) == 0 || len(body) >= len(img) {
		t.Fatalf("thumbnail %d, %d bytes", status, len(body))
	}

	if status, _ := download(t, srv.URL+"/file/botWRONG/"+f.FilePath); status != 401 {
		t.Fatalf("wrong token: %d", status)
	}
	if status, _ := download(t, srv.FileURL("photos/nope.jpg")); status != 404 {
		t.Fatalf("missing file: %d", status)
	}
	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: "nope"})
	wantAPIError(t, err, 400, "Bad Request: invalid file_id")
}

func TestGetFileRefusesFilesOver20MB(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	p := srv.PushDocument(citizen, "scan.pdf", "application/pdf", make([]byte, 20<<20+1), "")
	_, err := bot.GetFile(tgbotapi.FileConfig{FileID: p.FileID})
	wantAPIError(t, err, 400, "Bad Request: file is too big")
}

func TestSendPhotoMultipartAndByFileID(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	img := SamplePhoto(640, 480)
	c := tgbotapi.NewPhoto(citizen.ID, tgbotapi.FileBytes{Name: "map.png", Bytes: img})
	c.Caption = "<b>Bản đồ</b>"
	c.ParseMode = tgbotapi.ModeHTML
	m := mustSend(t, bot, c)
	if len(m.Photo) != 3 || m.Caption != "Bản đồ" || len(m.CaptionEntities) != 1 {
		t.Fatalf("photo message %+v", m)
	}
	fileID := m.Photo[len(m.Photo)-1].FileID
	if data, ok := srv.File(fileID); !ok || !bytes.Equal(data, img) {
		t.Fatal("uploaded bytes not stored")
	}
	if got, _ := srv.LastSent(citizen.ID); got.PhotoFileID() != fileID || got.Method != "sendPhoto" {
		t.Fatalf("stored %+v", got)
	}
	if req := srv.Requests()[len(srv.Requests())-1]; req.Files["photo"] != len(img) {
		t.Fatalf("request log files %+v", req.Files)
	}

	// Re-sending by file_id needs no upload.
	again := mustSend(t, bot, tgbotapi.NewPhoto(officer.ID, tgbotapi.FileID(fileID)))
	if again.Photo[len(again.Photo)-1].FileID != fileID {
		t.Fatalf("resend %+v", again.Photo)
	}

	// Not an image. Note: tgbotapi v5.5.1 leaves Error.Code at 0 for
	// multipart uploads (UploadFiles does not copy error_code).
	_, err := bot.Send(tgbotapi.NewPhoto(citizen.ID, tgbotapi.FileBytes{Name: "x.png", Bytes: []byte("not an image")}))
	if e := tgError(t, err); e.Message != "Bad Request: IMAGE_PROCESS_FAILED" {
		t.Fatalf("got %+v", e)
	}
	_, err = bot.Send(tgbotapi.NewPhoto(citizen.ID, tgbotapi.FileID("unknown")))
	wantAPIError(t, err, 400, "Bad Request: wrong file identifier/HTTP URL specified")

	long := tgbotapi.NewPhoto(citizen.ID, tgbotapi.FileID(fileID))
	long.Caption = string(bytes.Repeat([]byte("a"), 1025))
	_, err = bot.Send(long)
	wantAPIError(t, err, 400, "Bad Request: message caption is too long")
}

func TestSendPhotoSizeLimit(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	big := append(SamplePhoto(10, 10), make([]byte, 10<<20)...)
	_, err := bot.Send(tgbotapi.NewPhoto(citizen.ID, tgbotapi.FileBytes{Name: "big.png", Bytes: big}))
	if e := tgError(t, err); e.Message != "Bad Request: PHOTO_SAVE_FILE_INVALID" {
		t.Fatalf("got %+v", e)
	}
}

func TestSendDocument(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	pdf := []byte("%PDF-1.4 biên nhận")
	m := mustSend(t, bot, tgbotapi.NewDocument(citizen.ID, tgbotapi.FileBytes{Name: "bien-nhan.pdf", Bytes: pdf}))
	if m.Document == nil || m.Document.FileName != "bien-nhan.pdf" || m.Document.MimeType != "application/pdf" || m.Document.FileSize != len(pdf) {
		t.Fatalf("document %+v", m.Document)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: m.Document.FileID})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := download(t, srv.FileURL(f.FilePath)); status != 200 || !bytes.Equal(body, pdf) {
		t.Fatalf("download %d %q", status, body)
	}
	// A photo's file_id cannot be sent as a document.
	p := srv.PushPhoto(citizen, nil, "")
	_, err = bot.Send(tgbotapi.NewDocument(citizen.ID, tgbotapi.FileID(p.FileID)))
	wantAPIError(t, err, 400, "Bad Request: type of file mismatch")
}

func TestUploadOver50MBIs413(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	_, err := bot.Send(tgbotapi.NewDocument(citizen.ID, tgbotapi.FileBytes{Name: "huge.bin", Bytes: make([]byte, 50<<20+2<<20)}))
	if e := tgError(t, err); e.Message != "Request Entity Too Large" {
		t.Fatalf("got %+v", e)
	}
}
