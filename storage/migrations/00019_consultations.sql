-- +goose Up

-- Consultations (lấy ý kiến, law.md §7, Grassroots Democracy Law Art. 26,
-- 28): a commune or department puts a draft or plan out for residents'
-- comments for at least 20 days (checked by the admin command, which an
-- administrator may override), then publishes a synthesis explaining what
-- was not adopted. closes_at is the end of the period, exclusive.
CREATE TABLE consultations (
    id           bigserial PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES units (id),
    title        text NOT NULL CHECK (title <> ''),
    summary      text NOT NULL DEFAULT '',
    link         text NOT NULL DEFAULT '',
    opens_at     timestamptz NOT NULL,
    closes_at    timestamptz NOT NULL,
    synthesis    text,
    published_at timestamptz,
    created_at   timestamptz NOT NULL,
    CHECK (summary <> '' OR link <> ''),
    CHECK (closes_at > opens_at),
    CHECK ((synthesis IS NULL) = (published_at IS NULL))
);
CREATE INDEX consultations_open ON consultations (closes_at) WHERE published_at IS NULL;

-- A comment is a góp ý ticket of the consultation: it reaches the unit's
-- cards, officers answer it, and reports and digests count it like any
-- other. No check ties the link to the kind: staff may reclassify a
-- comment that turns out to be something else, and it stays a comment
-- of the consultation (its author still gets the synthesis).
ALTER TABLE tickets ADD COLUMN consultation_id bigint REFERENCES consultations (id);
CREATE INDEX tickets_consultation ON tickets (consultation_id) WHERE consultation_id IS NOT NULL;

-- +goose Down
ALTER TABLE tickets DROP COLUMN consultation_id;
DROP TABLE consultations;
