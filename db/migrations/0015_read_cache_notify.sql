-- The API's read cache (infra/read-cache.ts) keeps serialised answers of the reads built from these tables. Every
-- change here NOTIFYs `pendamping_reads` with the tags of what it touched: `e:` an enrolment, `b:` a business, `o:` an
-- office; `*` drops everything (a programme's or region's name is in many answers). Postgres delivers the notifications
-- at commit, in commit order, to the listening API processes, which drop the answers carrying those tags. Identical
-- payloads within one transaction are delivered once.
CREATE OR REPLACE FUNCTION read_cache_enrolments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('pendamping_reads', concat_ws(' ', 'e:' || OLD.id, 'b:' || OLD.business_id, 'o:' || OLD.office_id));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('pendamping_reads', concat_ws(' ', 'e:' || NEW.id, 'b:' || NEW.business_id, 'o:' || NEW.office_id));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_enrolments AFTER INSERT OR UPDATE OR DELETE ON enrolments
  FOR EACH ROW EXECUTE FUNCTION read_cache_enrolments_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION read_cache_steps_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.enrolment_id ELSE NEW.enrolment_id END;
  tags text;
BEGIN
  -- A step is shown with its enrolment (the detail's steps, the lists' current due date).
  SELECT concat_ws(' ', 'e:' || e.id, 'b:' || e.business_id, 'o:' || e.office_id) INTO tags FROM enrolments e
    WHERE e.id = target;
  PERFORM pg_notify('pendamping_reads', coalesce(tags, 'e:' || target));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_step_instances AFTER INSERT OR UPDATE OR DELETE ON step_instances
  FOR EACH ROW EXECUTE FUNCTION read_cache_steps_changed();
--> statement-breakpoint
-- Businesses arrive and change in batches of a thousand (the CSV import): statement triggers, one notification per
-- office for new rows (a new business was in no answer yet), and everything dropped at once for a large change.
CREATE OR REPLACE FUNCTION read_cache_businesses_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pendamping_reads', 'o:' || x.office_id) FROM (SELECT DISTINCT office_id FROM inserted) x;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_businesses_inserted AFTER INSERT ON businesses REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_businesses_inserted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION read_cache_businesses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM touched) > 100 THEN
    PERFORM pg_notify('pendamping_reads', '*');
    RETURN NULL;
  END IF;
  PERFORM pg_notify('pendamping_reads', concat_ws(' ', 'b:' || t.id, 'o:' || t.office_id)) FROM touched t;
  -- A business's name is in the enrolment lists of each office holding one of its enrolments, not only its own.
  PERFORM pg_notify('pendamping_reads', 'o:' || x.office_id)
    FROM (SELECT DISTINCT e.office_id FROM enrolments e JOIN touched t ON t.id = e.business_id) x;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_businesses_updated AFTER UPDATE ON businesses REFERENCING OLD TABLE AS touched
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_businesses_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_businesses_updated_to AFTER UPDATE ON businesses REFERENCING NEW TABLE AS touched
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_businesses_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_businesses_deleted AFTER DELETE ON businesses REFERENCING OLD TABLE AS touched
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_businesses_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION read_cache_certificates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.business_id ELSE NEW.business_id END;
  tags text;
BEGIN
  -- A business's certificates are in its registry answers.
  SELECT concat_ws(' ', 'b:' || b.id, 'o:' || b.office_id) INTO tags FROM businesses b
    WHERE b.id = target;
  PERFORM pg_notify('pendamping_reads', coalesce(tags, 'b:' || target));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_certificates AFTER INSERT OR UPDATE OR DELETE ON certificates
  FOR EACH ROW EXECUTE FUNCTION read_cache_certificates_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION read_cache_sentra_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A sentra's name is in the registry answers of its office's businesses.
  IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('pendamping_reads', 'o:' || OLD.office_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('pendamping_reads', 'o:' || NEW.office_id); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_sentra AFTER INSERT OR UPDATE OR DELETE ON sentra
  FOR EACH ROW EXECUTE FUNCTION read_cache_sentra_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION read_cache_everything_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pendamping_reads', '*');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER read_cache_programmes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON programmes
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_regions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_enrolments_truncated AFTER TRUNCATE ON enrolments
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_step_instances_truncated AFTER TRUNCATE ON step_instances
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_businesses_truncated AFTER TRUNCATE ON businesses
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_certificates_truncated AFTER TRUNCATE ON certificates
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER read_cache_sentra_truncated AFTER TRUNCATE ON sentra
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_everything_changed();
