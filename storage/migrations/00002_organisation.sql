-- +goose Up

-- Routing: (category, area) → responsible unit. NULL means "any". The most
-- specific rule wins (see storage/routing.go); unmatched tickets go to the
-- triage unit.
CREATE TABLE routing_rules (
    id          bigserial PRIMARY KEY,
    category_id bigint REFERENCES categories (id),
    area_id     bigint REFERENCES areas (id),
    unit_id     bigint NOT NULL REFERENCES units (id),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (category_id, area_id)
);

-- At most one triage unit.
CREATE UNIQUE INDEX units_one_triage ON units (is_triage) WHERE is_triage AND active;

-- Officers, leaders and administrators: a messenger account bound to a unit
-- with a role.
CREATE TABLE officers (
    id          bigserial PRIMARY KEY,
    citizen_id  bigint NOT NULL REFERENCES citizens (id),
    unit_id     bigint NOT NULL REFERENCES units (id),
    role        text NOT NULL CHECK (role IN ('officer', 'leader', 'admin')),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX officers_one_active ON officers (citizen_id, unit_id) WHERE active;

-- One-time invitation codes; only a hash is stored.
CREATE TABLE invites (
    id          bigserial PRIMARY KEY,
    code_hash   text NOT NULL UNIQUE,
    unit_id     bigint NOT NULL REFERENCES units (id),
    role        text NOT NULL CHECK (role IN ('officer', 'leader', 'admin')),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    used_by     bigint REFERENCES officers (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Group chats linked to a unit receive its ticket cards.
CREATE TABLE unit_groups (
    id         bigserial PRIMARY KEY,
    unit_id    bigint NOT NULL REFERENCES units (id),
    channel    text NOT NULL,
    chat_id    text NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    linked_by  bigint REFERENCES officers (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, chat_id)
);

-- +goose Down
DROP TABLE unit_groups, invites, officers, routing_rules;
DROP INDEX units_one_triage;
