-- +goose Up

-- What the outbox keeps of a message once it is delivered, when that is
-- not the message itself: erasure and the withdrawal of the consent to be
-- called (storage/personal_data.go) reach messages still waiting to be
-- sent, which go out as they are, but whose kept copies must hold nothing
-- of the person ('{}'), or only the message as sealing would send it
-- (handlers/erasure_seal.go). Recording a delivery puts it in place.
ALTER TABLE outbox ADD COLUMN kept_copy jsonb;

-- +goose Down
ALTER TABLE outbox DROP COLUMN kept_copy;
