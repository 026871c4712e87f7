package demo

import (
	"embed"
	"io/fs"
	"net/http"
)

// web holds the page: HTML, CSS, JavaScript and the interface strings per
// language. Nothing is fetched from elsewhere: the sandbox works offline.
//
//go:embed web
var web embed.FS

func staticFiles() http.Handler {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree always has web/
	}
	return http.FileServerFS(sub)
}
