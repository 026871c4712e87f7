package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
)

// failMarks makes the first n writes that mark a message sent fail.
func failMarks(t *testing.T, w *senderWorld, n int) {
	t.Helper()
	if _, err := w.store.DB().ExecContext(t.Context(), fmt.Sprintf(`
		CREATE SEQUENCE mark_failures;
		CREATE FUNCTION fail_marks() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('mark_failures') <= %d THEN
				RAISE EXCEPTION 'injected: the database refused the write';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_marks BEFORE UPDATE ON outbox
			FOR EACH ROW WHEN (NEW.status = 'sent') EXECUTE FUNCTION fail_marks();`, n)); err != nil {
		t.Fatal(err)
	}
}

// A delivery whose record the database refuses for a moment is recorded on
// a retry, before its lease ends, rather than dropped and sent again.
func TestSenderRetriesRecordingADelivery(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{Lease: time.Second, DeliveryTimeout: 500 * time.Millisecond}), nil)
	failMarks(t, w, 2)
	w.texts("M", "M1")
	w.start()
	w.waitUntil(10*time.Second, "M1 recorded as sent", func() bool {
		status, _ := w.status("M1")
		return status == "sent"
	})
	var writes int
	if err := w.store.DB().QueryRowContext(t.Context(), `SELECT last_value FROM mark_failures`).Scan(&writes); err != nil {
		t.Fatal(err)
	}
	if writes != 3 {
		t.Errorf("%d writes of the mark, want 2 refused and 1 that stood", writes)
	}
	if n := len(w.fake.attempts("M1")); n != 1 {
		t.Errorf("M1 was sent %d times, want once", n)
	}
}

// The retries are bounded: a record the database keeps refusing is given
// up, so the sender still stops (a shutdown waits for it).
func TestSenderStopsWhileADeliveryCannotBeRecorded(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{}), nil)
	failMarks(t, w, 1_000_000)
	w.fake.started = make(chan string, 1)
	w.texts("N", "N1")
	w.start()
	<-w.fake.started
	stopped := make(chan struct{})
	go func() {
		w.stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the sender did not stop")
	}
	if status, _ := w.status("N1"); status != "pending" {
		t.Errorf("N1 is %s, want pending: never recorded, to be sent again", status)
	}
}
