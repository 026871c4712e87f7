-- +goose Up

-- A ticket reclassified from a denunciation (tố cáo) to another kind keeps
-- its sender's identity sealed, photos included: they may show the
-- denouncer's handwriting (law.md §5), so they stay off the cards.
ALTER TABLE tickets ADD COLUMN was_denunciation boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE tickets DROP COLUMN was_denunciation;
