-- +goose Up

-- Organisation: units form a tree of any depth; levels are data (two-tier
-- local government since 2025 must not be baked into code).
CREATE TABLE units (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    name_en     text NOT NULL DEFAULT '',
    level       text NOT NULL DEFAULT '',
    parent_id   bigint REFERENCES units (id),
    is_triage   boolean NOT NULL DEFAULT false,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Administrative areas (province, commune/ward, village...), also a tree.
CREATE TABLE areas (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    level       text NOT NULL DEFAULT '',
    parent_id   bigint REFERENCES areas (id),
    latitude    double precision,
    longitude   double precision,
    remote      boolean NOT NULL DEFAULT false, -- vùng sâu, vùng xa: longer legal limits
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE unit_areas (
    unit_id bigint NOT NULL REFERENCES units (id),
    area_id bigint NOT NULL REFERENCES areas (id),
    PRIMARY KEY (unit_id, area_id)
);

-- Categories (lĩnh vực).
CREATE TABLE categories (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    name_en     text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- People who talk to the bot as citizens. Name and phone are personal data:
-- never logged, never shown to officers on confidential tickets.
CREATE TABLE citizens (
    id               bigserial PRIMARY KEY,
    channel          text NOT NULL,
    user_id          text NOT NULL,
    chat_id          text NOT NULL,
    display_name     text NOT NULL DEFAULT '',
    language         text NOT NULL DEFAULT 'vi',
    phone            text,
    phone_consent_at timestamptz,
    unreachable_at   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, user_id)
);

-- Multi-step conversations (wizards) survive restarts: one row per person per chat.
CREATE TABLE conversations (
    channel    text NOT NULL,
    chat_id    text NOT NULL,
    user_id    text NOT NULL,
    flow       text NOT NULL,
    step       text NOT NULL,
    data       jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id, user_id)
);

-- Inbox of incoming updates: recorded before they are confirmed to the
-- messenger, processed once (UNIQUE), in order per chat.
CREATE TABLE inbox (
    id           bigserial PRIMARY KEY,
    channel      text NOT NULL,
    update_id    bigint NOT NULL,
    chat_key     text NOT NULL,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    attempts     integer NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    processed_at timestamptz,
    failed_at    timestamptz,
    UNIQUE (channel, update_id)
);
CREATE INDEX inbox_pending ON inbox (chat_key, id) WHERE processed_at IS NULL AND failed_at IS NULL;

-- Durable outbox: every outgoing message is written in the transaction that
-- caused it and delivered by the sender.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    channel         text NOT NULL,
    chat_id         text NOT NULL,
    is_group        boolean NOT NULL DEFAULT false,
    kind            text NOT NULL,
    payload         jsonb NOT NULL,
    dedupe_key      text UNIQUE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    last_error      text,
    sent_message_id text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX outbox_pending ON outbox (channel, chat_id, id) WHERE status = 'pending';

-- Tickets. Kinds follow law.md: phan_anh, kien_nghi, gop_y, hoi_dap are handled
-- in chat; khieu_nai and to_cao are recorded for guidance only.
CREATE TABLE tickets (
    id             bigserial PRIMARY KEY,
    code           text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('phan_anh', 'kien_nghi', 'gop_y', 'hoi_dap', 'khieu_nai', 'to_cao')),
    status         text NOT NULL DEFAULT 'received',
    citizen_id     bigint NOT NULL REFERENCES citizens (id),
    category_id    bigint REFERENCES categories (id),
    area_id        bigint REFERENCES areas (id),
    unit_id        bigint REFERENCES units (id),
    description    text NOT NULL,
    address        text NOT NULL DEFAULT '',
    latitude       double precision,
    longitude      double precision,
    phone          text,
    confidential   boolean NOT NULL DEFAULT false,
    source         text NOT NULL DEFAULT '',
    due_at         timestamptz,
    answered_at    timestamptz,
    closed_at      timestamptz,
    rating         smallint CHECK (rating BETWEEN 1 AND 5),
    rating_comment text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_citizen ON tickets (citizen_id, id);
CREATE INDEX tickets_unit_status ON tickets (unit_id, status);

-- Human-friendly codes (PA-2026-000123): one counter per year.
CREATE TABLE ticket_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE ticket_attachments (
    id             bigserial PRIMARY KEY,
    ticket_id      bigint NOT NULL REFERENCES tickets (id),
    channel        text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id        text NOT NULL,
    file_unique_id text NOT NULL DEFAULT '',
    added_by       text NOT NULL DEFAULT 'citizen',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);

-- Append-only timeline: who, when, what, from -> to.
CREATE TABLE ticket_events (
    id          bigserial PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets (id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor_kind  text NOT NULL CHECK (actor_kind IN ('citizen', 'officer', 'system')),
    actor_id    bigint,
    kind        text NOT NULL,
    from_status text,
    to_status   text,
    from_unit   bigint REFERENCES units (id),
    to_unit     bigint REFERENCES units (id),
    body        text NOT NULL DEFAULT '',
    internal    boolean NOT NULL DEFAULT false
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER ticket_events_append_only
    BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ticket_events_no_truncate
    BEFORE TRUNCATE ON ticket_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Scheduled jobs claim their slot here so each runs once across replicas.
CREATE TABLE job_runs (
    job         text NOT NULL,
    slot        timestamptz NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error       text,
    PRIMARY KEY (job, slot)
);

-- Default categories so a fresh installation can take petitions at once;
-- `danvan admin import` replaces them with the deployment's own.
INSERT INTO categories (code, name, name_en, position) VALUES
    ('dat-dai', 'Đất đai', 'Land', 1),
    ('moi-truong', 'Môi trường', 'Environment', 2),
    ('giao-thong', 'Giao thông và hạ tầng', 'Transport and infrastructure', 3),
    ('an-ninh', 'An ninh trật tự', 'Security and public order', 4),
    ('y-te', 'Y tế', 'Health', 5),
    ('giao-duc', 'Giáo dục', 'Education', 6),
    ('chinh-sach', 'Chính sách xã hội', 'Social policy', 7),
    ('thu-tuc', 'Thủ tục hành chính', 'Administrative procedures', 8),
    ('dien-nuoc', 'Điện nước', 'Electricity and water', 9),
    ('khac', 'Khác', 'Other', 10);

-- +goose Down
DROP TABLE job_runs, ticket_events, ticket_attachments, ticket_counters, tickets,
    outbox, inbox, conversations, citizens, categories, unit_areas, areas, units;
DROP FUNCTION refuse_change();
