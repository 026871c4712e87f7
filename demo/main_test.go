package demo

import (
	"testing"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m, storage.MigrateQuiet) }
