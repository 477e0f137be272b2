ALTER TABLE "step_instances" ADD COLUMN "office_id" uuid;--> statement-breakpoint
ALTER TABLE "step_instances" ADD COLUMN "office_acts" boolean;--> statement-breakpoint
ALTER TABLE "step_instances" ADD CONSTRAINT "step_instances_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "step_instances_office_queue_idx" ON "step_instances" USING btree ("office_id","due_at","id") WHERE "step_instances"."status" = 'open' and "step_instances"."office_acts";--> statement-breakpoint
-- Whether the office acts on a step: its actor in the enrolment's pinned template version is not the business. A step
-- the template no longer names (never, for a pinned version) counts as the office's, as the queue always did.
CREATE FUNCTION step_instances_office_acts(e enrolments, step_key text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT st->>'actor' FROM programme_versions v CROSS JOIN jsonb_array_elements(v.template->'steps') st
    WHERE v.programme_key = e.programme_key AND v.version = e.programme_version AND st->>'key' = step_key
    LIMIT 1), 'officer') <> 'business'
$$;
--> statement-breakpoint
UPDATE step_instances s SET office_id = e.office_id, office_acts = step_instances_office_acts(e, s.step_key)
FROM enrolments e WHERE e.id = s.enrolment_id;
--> statement-breakpoint
-- Every writer gets the copies: the engine's activity passes them; rows written straight (seeds, generators, tests)
-- have them filled here.
CREATE FUNCTION step_instances_fill_office() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e enrolments;
BEGIN
  IF NEW.office_id IS NULL OR NEW.office_acts IS NULL THEN
    SELECT * INTO e FROM enrolments WHERE id = NEW.enrolment_id;
    NEW.office_id := coalesce(NEW.office_id, e.office_id);
    NEW.office_acts := coalesce(NEW.office_acts, step_instances_office_acts(e, NEW.step_key));
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER step_instances_fill_office BEFORE INSERT ON step_instances
  FOR EACH ROW EXECUTE FUNCTION step_instances_fill_office();
