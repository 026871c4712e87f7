package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Messenger delivers outgoing messages on one chat platform.
type Messenger interface {
	// Channel names the platform, e.g. "telegram"; it keys inbox and outbox rows.
	Channel() string
	// Deliver performs one outgoing message and says where it went.
	// Failures should be *DeliveryError so the sender knows what to do.
	Deliver(ctx context.Context, msg Outgoing) (Delivered, error)
}

// Delivered says where a delivered message went.
type Delivered struct {
	// MessageID is the platform's id of the message sent or edited (""
	// when there is none, e.g. a callback answer).
	MessageID string
	// ChatID is set when it went to another chat than the one it was for:
	// a group that became a supergroup. Later edits and deletions of it
	// must go there.
	ChatID string
}

// Decoder turns a recorded raw update into an Event.
type Decoder interface {
	Decode(raw json.RawMessage) (Event, error)
}

// DeliveryError classifies a failed delivery.
type DeliveryError struct {
	// RetryAfter > 0: flood control; wait at least this long for this chat.
	RetryAfter time.Duration
	// Permanent: retrying cannot help (bad request, chat not found).
	Permanent bool
	// Unreachable: the person blocked the bot or left; stop writing to them.
	Unreachable bool
	// Rejected: the platform refused the bot's credentials (a revoked
	// token). Nothing goes out until an operator fixes them; messages are
	// retried, never dropped.
	Rejected bool
	// Description is the platform's description, never the message text.
	Description string
}

func (e *DeliveryError) Error() string {
	switch {
	case e.RetryAfter > 0:
		return fmt.Sprintf("flood control, retry after %s: %s", e.RetryAfter, e.Description)
	case e.Unreachable:
		return "chat unreachable: " + e.Description
	case e.Permanent:
		return "permanent failure: " + e.Description
	case e.Rejected:
		return "credentials rejected: " + e.Description
	}
	return "temporary failure: " + e.Description
}

// AsDeliveryError extracts a *DeliveryError; other errors count as temporary.
func AsDeliveryError(err error) *DeliveryError {
	var de *DeliveryError
	if errors.As(err, &de) {
		return de
	}
	return &DeliveryError{Description: err.Error()}
}
