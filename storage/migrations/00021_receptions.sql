-- +goose Up

-- Citizen reception (tiếp công dân, law.md §8): a commune chairman
-- receives citizens at least one day a week, heads of agencies at least
-- one day a month (Citizen Reception Law Art. 15, 18). A unit's weekly
-- reception hours; the days offered are those weekdays that are working
-- days and not called off.
CREATE TABLE reception_hours (
    unit_id    bigint NOT NULL REFERENCES units (id),
    weekday    smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 is Sunday
    starts     time NOT NULL,
    ends       time NOT NULL CHECK (ends > starts),
    place      text NOT NULL CHECK (place <> ''),
    capacity   integer NOT NULL CHECK (capacity > 0),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (unit_id, weekday)
);

-- A reception day called off (the chairman away, say); its bookings are
-- called off with it and their citizens told why.
CREATE TABLE reception_closures (
    unit_id    bigint NOT NULL REFERENCES units (id),
    day        date NOT NULL,
    reason     text NOT NULL CHECK (reason <> ''),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (unit_id, day)
);

-- A citizen's booking. The hours and place are those the citizen was
-- told. After the meeting the unit records it as received, which files
-- the follow-up ticket (kind tiep_dan) whose clock is Art. 28's: an
-- answer within 10 working days of the reception. A refusal (Art. 9)
-- carries its reason, as the written notice the citizen is sent.
CREATE TABLE reception_bookings (
    id          bigserial PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES units (id),
    citizen_id  bigint NOT NULL REFERENCES citizens (id),
    day         date NOT NULL,
    starts      time NOT NULL,
    ends        time NOT NULL,
    place       text NOT NULL,
    subject     text NOT NULL,
    status      text NOT NULL DEFAULT 'booked'
                CHECK (status IN ('booked', 'cancelled', 'called_off', 'refused', 'received', 'absent')),
    reason      text NOT NULL DEFAULT '',
    ticket_id   bigint REFERENCES tickets (id),
    reminded_at timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CHECK ((status = 'received') = (ticket_id IS NOT NULL))
);
-- One live booking per citizen, unit and day.
CREATE UNIQUE INDEX reception_bookings_once ON reception_bookings (citizen_id, unit_id, day) WHERE status = 'booked';
CREATE INDEX reception_bookings_day ON reception_bookings (unit_id, day);
CREATE INDEX reception_bookings_citizen ON reception_bookings (citizen_id);
CREATE INDEX reception_bookings_reminder ON reception_bookings (day) WHERE status = 'booked' AND reminded_at IS NULL;

-- The fourth clock (law.md §11): what the reception brought up is
-- answered within 10 working days (Citizen Reception Law Art. 28).
ALTER TABLE tickets DROP CONSTRAINT tickets_kind_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_kind_check
    CHECK (kind IN ('phan_anh', 'kien_nghi', 'gop_y', 'hoi_dap', 'khieu_nai', 'to_cao', 'tiep_dan'));
INSERT INTO deadline_rules (kind, answer_limit, legal_basis)
    VALUES ('tiep_dan', 10, 'Luật Tiếp công dân 2013, Điều 28');

-- +goose Down
DELETE FROM deadline_rules WHERE kind = 'tiep_dan'
    AND NOT EXISTS (SELECT 1 FROM tickets WHERE deadline_rule_id = deadline_rules.id);
ALTER TABLE tickets DROP CONSTRAINT tickets_kind_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_kind_check
    CHECK (kind IN ('phan_anh', 'kien_nghi', 'gop_y', 'hoi_dap', 'khieu_nai', 'to_cao'));
DROP TABLE reception_bookings, reception_closures, reception_hours;
