-- +goose Up

-- Deadline rules are data (law.md §4, §11). A rule applies to a ticket kind
-- and, when set, only to one category, one area (and the areas below it)
-- or remote areas; the most specific rule wins (see storage/deadline.go).
CREATE TABLE deadline_rules (
    id                  bigserial PRIMARY KEY,
    kind                text NOT NULL,
    category_id         bigint REFERENCES categories (id),
    area_id             bigint REFERENCES areas (id),
    remote_only         boolean NOT NULL DEFAULT false,
    answer_limit        integer NOT NULL CHECK (answer_limit > 0),
    limit_unit          text NOT NULL DEFAULT 'workdays'
                        CHECK (limit_unit IN ('workdays', 'working_hours', 'days')),
    pause_on_info       boolean NOT NULL DEFAULT true,  -- waiting for the citizen stops the clock
    restart_on_transfer boolean NOT NULL DEFAULT true,  -- the receiving unit gets a new clock
    legal_basis         text NOT NULL DEFAULT '',
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (kind, category_id, area_id, remote_only)
);

-- Defaults. Decree 20/2008 sets no numeric limit for answering feedback, so
-- these follow common local practice and are meant to be tuned; a unit
-- that is not competent must forward within 5 working days (Decree 20
-- Art. 9.1.d, Denunciations Law Art. 24.2), which bounds the guidance for
-- complaints and denunciations.
INSERT INTO deadline_rules (kind, answer_limit, legal_basis) VALUES
    ('phan_anh', 10, 'Quy định địa phương; Nghị định 20/2008/NĐ-CP'),
    ('kien_nghi', 10, 'Quy định địa phương; Nghị định 20/2008/NĐ-CP'),
    ('gop_y', 10, 'Luật Thực hiện dân chủ ở cơ sở 2022'),
    ('hoi_dap', 5, 'Quy định địa phương'),
    ('khieu_nai', 5, 'Hướng dẫn; thụ lý 10 ngày, giải quyết 30 ngày (Luật Khiếu nại, Điều 27–28)'),
    ('to_cao', 5, 'Hướng dẫn; xử lý ban đầu 7 ngày làm việc (Luật Tố cáo, Điều 24)');
-- Remote areas (vùng sâu, vùng xa) get half as long again.
INSERT INTO deadline_rules (kind, remote_only, answer_limit, legal_basis) VALUES
    ('phan_anh', true, 15, 'Vùng sâu, vùng xa'),
    ('kien_nghi', true, 15, 'Vùng sâu, vùng xa');

-- The working-day calendar's exceptions announced by the government each
-- year (swapped days, make-up Saturdays, extra days off); weekends and
-- statutory holidays, Tết included, are computed (package workcal).
CREATE TABLE calendar_days (
    day        date PRIMARY KEY,
    is_workday boolean NOT NULL,
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The clock of each ticket. due_at (from 00001) is the current deadline;
-- paused_at is set while waiting for the citizen; the escalation and
-- rating-reminder stamps make each of those happen once.
ALTER TABLE tickets
    ADD COLUMN deadline_rule_id bigint REFERENCES deadline_rules (id),
    ADD COLUMN clock_started_at timestamptz,
    ADD COLUMN paused_at timestamptz,
    ADD COLUMN escalated_at timestamptz,
    ADD COLUMN escalated_again_at timestamptz,
    ADD COLUMN rating_reminded_at timestamptz;

CREATE INDEX tickets_due ON tickets (due_at) WHERE closed_at IS NULL;
CREATE INDEX tickets_created ON tickets (created_at);

-- +goose Down
DROP INDEX tickets_created, tickets_due;
ALTER TABLE tickets DROP COLUMN deadline_rule_id, DROP COLUMN clock_started_at, DROP COLUMN paused_at,
    DROP COLUMN escalated_at, DROP COLUMN escalated_again_at, DROP COLUMN rating_reminded_at;
DROP TABLE calendar_days, deadline_rules;
