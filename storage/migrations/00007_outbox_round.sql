-- +goose Up

-- The sender serves the chats with messages waiting in turn, taking the
-- oldest message of each: one probe of outbox_chat_queue per chat, however
-- many messages a chat has waiting. Callback answers skip the chats'
-- queues and are found through their own index. outbox_chat_queue also
-- serves what outbox_pending did (deferring a chat's queue), so that one
-- goes: one index fewer to write for every message.
CREATE INDEX outbox_chat_queue ON outbox (channel, chat_id, id) WHERE status = 'pending' AND kind <> 'answer';
CREATE INDEX outbox_answers_due ON outbox (channel, id) WHERE status = 'pending' AND kind = 'answer';
DROP INDEX outbox_pending;

-- +goose Down
CREATE INDEX outbox_pending ON outbox (channel, chat_id, id) WHERE status = 'pending';
DROP INDEX outbox_answers_due, outbox_chat_queue;
