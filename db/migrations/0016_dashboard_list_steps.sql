CREATE TABLE "dashboard_list_steps" (
	"step_instance_id" uuid PRIMARY KEY NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"programme_version" integer NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"step_key" text NOT NULL,
	"status" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "step_instances_open_idx";--> statement-breakpoint
DROP INDEX "step_instances_late_idx";--> statement-breakpoint
-- Keeps dashboard_list_steps with the summaries of 0009, 0012 and 0013: the old state of a step visit leaves the list
-- (sign -1), the new one joins it when the dashboard lists it (sign +1: open, paused, or finished after its due date).
-- A business moving region calls this with -1 and +1, which moves its steps' rows along.
CREATE OR REPLACE FUNCTION dashboard_count_step(s step_instances, region text, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e enrolments;
  zone text;
  days integer;
BEGIN
  IF sign < 0 THEN DELETE FROM dashboard_list_steps WHERE step_instance_id = s.id; END IF;
  IF s.status NOT IN ('done', 'open', 'paused') THEN RETURN; END IF;
  SELECT * INTO e FROM enrolments WHERE id = s.enrolment_id;
  SELECT time_zone INTO zone FROM offices WHERE id = e.office_id;
  IF region IS NULL THEN SELECT region_code INTO region FROM businesses WHERE id = e.business_id; END IF;
  IF sign > 0 AND (s.status <> 'done' OR s.completed_at > s.due_at) THEN
    INSERT INTO dashboard_list_steps (step_instance_id, enrolment_id, office_id, programme_key, programme_version, year,
      region_code, step_key, status, opened_at, due_at, completed_at)
    VALUES (s.id, s.enrolment_id, e.office_id, e.programme_key, e.programme_version, e.year, region, s.step_key,
      s.status, s.opened_at, s.due_at, s.completed_at)
    -- A business moving region rewrites this row in its own transaction; a step changed meanwhile waits for it at the
    -- delete above, finds the moved row it could not see, and writes its own state over it.
    ON CONFLICT (step_instance_id) DO UPDATE SET enrolment_id = excluded.enrolment_id, office_id = excluded.office_id,
      programme_key = excluded.programme_key, programme_version = excluded.programme_version, year = excluded.year,
      region_code = excluded.region_code, step_key = excluded.step_key, status = excluded.status,
      opened_at = excluded.opened_at, due_at = excluded.due_at, completed_at = excluded.completed_at;
  END IF;
  IF s.status <> 'done' THEN
    INSERT INTO dashboard_open_steps (office_id, programme_key, year, region_code, step_key, opened_day, n)
    VALUES (e.office_id, e.programme_key, e.year, region, s.step_key,
      to_char(s.opened_at AT TIME ZONE zone, 'YYYY-MM-DD'), sign);
    IF s.status = 'open' AND s.due_at IS NOT NULL THEN
      INSERT INTO dashboard_due_steps
        (office_id, programme_key, programme_version, year, region_code, step_key, due_at, n)
      VALUES (e.office_id, e.programme_key, e.programme_version, e.year, region, s.step_key, s.due_at, sign);
    END IF;
    RETURN;
  END IF;
  IF s.completed_at IS NULL THEN RETURN; END IF;
  days := floor(extract(epoch FROM s.completed_at - s.opened_at) / 86400)::integer;
  INSERT INTO dashboard_step_durations
    (office_id, programme_key, year, region_code, step_key, completed_month, duration_days, due_result, n)
  VALUES (e.office_id, e.programme_key, e.year, region, s.step_key, to_char(s.completed_at AT TIME ZONE zone, 'YYYY-MM'),
    days, CASE WHEN s.due_at IS NULL THEN 'none' WHEN s.completed_at <= s.due_at THEN 'within' ELSE 'late' END, sign);
  INSERT INTO dashboard_step_days (office_id, programme_key, year, region_code, step_key, duration_days, n)
  VALUES (e.office_id, e.programme_key, e.year, region, s.step_key, days, sign);
END;
$$;
--> statement-breakpoint
-- The steps written before this migration.
INSERT INTO dashboard_list_steps (step_instance_id, enrolment_id, office_id, programme_key, programme_version, year,
  region_code, step_key, status, opened_at, due_at, completed_at)
SELECT s.id, s.enrolment_id, e.office_id, e.programme_key, e.programme_version, e.year, b.region_code, s.step_key,
  s.status, s.opened_at, s.due_at, s.completed_at
FROM step_instances s JOIN enrolments e ON e.id = s.enrolment_id JOIN businesses b ON b.id = e.business_id
WHERE s.status IN ('open', 'paused') OR s.status = 'done' AND s.completed_at > s.due_at;
--> statement-breakpoint
-- The indexes after the rows: built once, not row by row.
CREATE INDEX "dashboard_list_steps_due" ON "dashboard_list_steps" USING btree ("office_id","year","due_at","step_instance_id") WHERE "dashboard_list_steps"."status" = 'open';
--> statement-breakpoint
CREATE INDEX "dashboard_list_steps_late" ON "dashboard_list_steps" USING btree ("office_id","year","programme_key","step_key","completed_at" DESC NULLS LAST,"step_instance_id") WHERE "dashboard_list_steps"."status" = 'done';
--> statement-breakpoint
CREATE INDEX "dashboard_list_steps_open" ON "dashboard_list_steps" USING btree ("office_id","year","programme_key","step_key","opened_at","enrolment_id") WHERE "dashboard_list_steps"."status" in ('open', 'paused');
