-- Keeps dashboard_due_steps (0011) with the other summaries of 0009: an open step with a due date counts +1 at its due
-- instant; pausing it, moving its due date or finishing it takes the count back. Open and paused now differ to the
-- summaries, so a pause or a resume is no longer skipped as a change of nothing.
CREATE OR REPLACE FUNCTION dashboard_count_step(s step_instances, region text, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e enrolments;
  zone text;
BEGIN
  IF s.status NOT IN ('done', 'open', 'paused') THEN RETURN; END IF;
  SELECT * INTO e FROM enrolments WHERE id = s.enrolment_id;
  SELECT time_zone INTO zone FROM offices WHERE id = e.office_id;
  IF region IS NULL THEN SELECT region_code INTO region FROM businesses WHERE id = e.business_id; END IF;
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
  INSERT INTO dashboard_step_durations
    (office_id, programme_key, year, region_code, step_key, completed_month, duration_days, due_result, n)
  VALUES (e.office_id, e.programme_key, e.year, region, s.step_key, to_char(s.completed_at AT TIME ZONE zone, 'YYYY-MM'),
    floor(extract(epoch FROM s.completed_at - s.opened_at) / 86400)::integer,
    CASE WHEN s.due_at IS NULL THEN 'none' WHEN s.completed_at <= s.due_at THEN 'within' ELSE 'late' END, sign);
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION dashboard_steps_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The rest of an update (notes, extensions counted, updated_at) counts for nothing.
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status
    AND (OLD.step_key, OLD.opened_at, OLD.due_at, OLD.completed_at)
      IS NOT DISTINCT FROM (NEW.step_key, NEW.opened_at, NEW.due_at, NEW.completed_at) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM dashboard_count_step(OLD, NULL, -1); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM dashboard_count_step(NEW, NULL, 1); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Steps open before this migration: counted once, already folded.
INSERT INTO dashboard_due_steps
  (office_id, programme_key, programme_version, year, region_code, step_key, due_at, n, folded)
SELECT e.office_id, e.programme_key, e.programme_version, e.year, b.region_code, s.step_key, s.due_at, count(*), true
FROM step_instances s JOIN enrolments e ON e.id = s.enrolment_id JOIN businesses b ON b.id = e.business_id
WHERE s.status = 'open' AND s.due_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;
