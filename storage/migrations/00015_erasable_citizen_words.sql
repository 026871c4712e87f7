-- +goose Up

-- The timeline stays append-only, with one exception: a person who erases
-- their data with /mydata has the words they wrote on their finished
-- petitions blanked (storage/personal_data.go, EraseCitizen). The event
-- itself stays, with its time, actor, kind, statuses and units, so the
-- timeline and the statistics read from it are unchanged; only a citizen's
-- body may become empty.
-- +goose StatementBegin
CREATE FUNCTION ticket_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_kind = 'citizen' AND NEW.body = ''
       AND (NEW.id, NEW.ticket_id, NEW.at, NEW.actor_kind, NEW.actor_id, NEW.kind, NEW.from_status,
            NEW.to_status, NEW.from_unit, NEW.to_unit, NEW.internal)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.ticket_id, OLD.at, OLD.actor_kind, OLD.actor_id, OLD.kind, OLD.from_status,
            OLD.to_status, OLD.from_unit, OLD.to_unit, OLD.internal) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER ticket_events_append_only ON ticket_events;
CREATE TRIGGER ticket_events_append_only
    BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_refuse_change();

-- +goose Down
DROP TRIGGER ticket_events_append_only ON ticket_events;
CREATE TRIGGER ticket_events_append_only
    BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP FUNCTION ticket_events_refuse_change();
