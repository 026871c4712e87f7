-- +goose Up

-- A consent keeps the very words the person was shown, not only a
-- reference to them (language, catalogue key, hash): the catalogue is
-- embedded in the binary, so after an upgrade the running system could no
-- longer show what an older consent agreed to. Consents recorded before
-- this have only the reference.
ALTER TABLE consents ADD COLUMN text text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE consents DROP COLUMN text;
