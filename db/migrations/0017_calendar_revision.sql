CREATE TABLE "calendar_revision" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"revision" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "calendar_revision" ("id", "revision") VALUES (true, 0);
--> statement-breakpoint
-- Once per statement, whatever it changed (even nothing): a reader that missed a change would keep a wrong calendar,
-- one that sees a change too many only loads it again.
CREATE FUNCTION calendar_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE calendar_revision SET revision = revision + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER calendar_days_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
  FOR EACH STATEMENT EXECUTE FUNCTION calendar_changed();
--> statement-breakpoint
CREATE TRIGGER calendar_years_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_years
  FOR EACH STATEMENT EXECUTE FUNCTION calendar_changed();
--> statement-breakpoint
-- An office's zone and office hours are part of its calendar; a new office has no calendar kept yet.
CREATE TRIGGER offices_calendar_changed AFTER UPDATE OR DELETE ON offices
  FOR EACH STATEMENT EXECUTE FUNCTION calendar_changed();
