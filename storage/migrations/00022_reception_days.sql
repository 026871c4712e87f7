-- +goose Up

-- A reception on one date (law.md §8): the heads of agencies receive
-- citizens at least one day a month, and anyone may hold an ad hoc
-- reception for a heated or mass case (Citizen Reception Law Art. 15.2.d,
-- 18.2-3), which weekly hours cannot say. On its date it takes the place
-- of the weekly hours, and it may fall on a day off.
CREATE TABLE reception_days (
    unit_id    bigint NOT NULL REFERENCES units (id),
    day        date NOT NULL,
    starts     time NOT NULL,
    ends       time NOT NULL CHECK (ends > starts),
    place      text NOT NULL CHECK (place <> ''),
    capacity   integer NOT NULL CHECK (capacity > 0),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (unit_id, day)
);

-- +goose Down
DROP TABLE reception_days;
