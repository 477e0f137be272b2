-- Keeps dashboard_step_days (0011) with the other summaries of 0009 and 0012: a finished step visit counts +1 in the
-- histogram of its step by the whole days it took.
CREATE OR REPLACE FUNCTION dashboard_count_step(s step_instances, region text, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e enrolments;
  zone text;
  days integer;
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
-- Steps finished before this migration: counted once, already folded.
INSERT INTO dashboard_step_days (office_id, programme_key, year, region_code, step_key, duration_days, n, folded)
SELECT office_id, programme_key, year, region_code, step_key, duration_days, sum(n), true
FROM dashboard_step_durations GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0;
