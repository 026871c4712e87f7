-- +goose Up

-- The office sessions that deadlines counted in working hours (giờ làm
-- việc) count: the locality's published hours, in minutes from midnight,
-- Vietnam time. Set with `danvan admin calendar hours`; with no rows the
-- default 07:30–11:30 and 13:30–17:00 hold.
CREATE TABLE office_sessions (
    start_minute smallint PRIMARY KEY CHECK (start_minute >= 0),
    end_minute smallint NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440)
);

-- +goose Down
DROP TABLE office_sessions;
