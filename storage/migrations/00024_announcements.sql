-- +goose Up

-- Publication (dân biết, law.md §7, Grassroots Democracy Law Art. 11-12):
-- a unit's leaders publish notices to the residents of the areas it serves,
-- through the bot among other channels. Residents choose the areas they
-- follow; a notice reaches the followers of the unit's areas and of the
-- areas below them.
CREATE TABLE area_followers (
    citizen_id bigint NOT NULL REFERENCES citizens (id),
    area_id    bigint NOT NULL REFERENCES areas (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (citizen_id, area_id)
);
CREATE INDEX area_followers_area ON area_followers (area_id);

CREATE TABLE announcements (
    id           bigserial PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES units (id),
    officer_id   bigint NOT NULL REFERENCES officers (id), -- who published it
    text         text NOT NULL CHECK (text <> ''),
    published_at timestamptz NOT NULL,
    recipients   integer NOT NULL -- followers it was scheduled for
);
CREATE INDEX announcements_unit ON announcements (unit_id, published_at);

-- Messages for many people at once (a notice to every follower) wait here,
-- each with the time it is due, until the sender moves it into the outbox
-- (ReleaseScheduled). Queued in the outbox at once, thousands of chats
-- whose message is not yet due would cost every claim a walk past them.
CREATE TABLE outbox_scheduled (
    id         bigserial PRIMARY KEY,
    channel    text NOT NULL,
    chat_id    text NOT NULL,
    is_group   boolean NOT NULL DEFAULT false,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    dedupe_key text NOT NULL UNIQUE,
    due_at     timestamptz NOT NULL
);
CREATE INDEX outbox_scheduled_due ON outbox_scheduled (channel, due_at, id);

-- +goose Down
DROP TABLE outbox_scheduled;
DROP TABLE announcements;
DROP TABLE area_followers;
