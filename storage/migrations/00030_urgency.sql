-- +goose Up

-- Urgent field reports (phản ánh khẩn): a danger to people or property
-- that needs handling at once, such as a tree fallen across a road, a
-- broken power line, deep flooding or a landslide. Local rules answer
-- them sooner (law.md §9: Hà Nội within 4 working hours, Đà Nẵng within
-- one working day). The sender may mark a phản ánh urgent, and the unit
-- handling a ticket may mark it urgent or not (handlers/urgency.go). A
-- deadline rule may be for urgent tickets: an urgent ticket takes one
-- where one covers it, before any other rule.
ALTER TABLE tickets ADD COLUMN urgent boolean NOT NULL DEFAULT false;
ALTER TABLE deadline_rules
    ADD COLUMN urgent boolean NOT NULL DEFAULT false,
    DROP CONSTRAINT deadline_rules_version,
    ADD CONSTRAINT deadline_rules_version
        UNIQUE NULLS NOT DISTINCT (kind, category_id, area_id, remote_only, urgent, valid_from);

-- Default: an urgent phản ánh is answered within 8 working hours, one
-- working day as in Đà Nẵng, in every area, and is not extended.
INSERT INTO deadline_rules (kind, urgent, answer_limit, limit_unit, legal_basis) VALUES
    ('phan_anh', true, 8, 'working_hours',
     'Quy định địa phương: phản ánh khẩn (Đà Nẵng: 1 ngày làm việc; Hà Nội: 4 giờ làm việc)');

-- +goose Down
UPDATE tickets SET deadline_rule_id = NULL
WHERE deadline_rule_id IN (SELECT id FROM deadline_rules WHERE urgent);
DELETE FROM deadline_rules WHERE urgent;
ALTER TABLE deadline_rules
    DROP CONSTRAINT deadline_rules_version,
    DROP COLUMN urgent,
    ADD CONSTRAINT deadline_rules_version
        UNIQUE NULLS NOT DISTINCT (kind, category_id, area_id, remote_only, valid_from);
ALTER TABLE tickets DROP COLUMN urgent;
