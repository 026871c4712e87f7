package app

import (
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on any host
)

var vietnam = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()
