-- Keeps the dashboard summaries (0008) in step with enrolments, step_instances and businesses. Each change appends a
-- +1 row for the new state and a -1 row for the old one, in the writer's own transaction; appending takes no lock a
-- concurrent enrolment could wait on. services/dashboard-summaries.ts folds the appended rows now and then.
CREATE FUNCTION dashboard_count_enrolment(e enrolments, region text, sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  zone text;
BEGIN
  SELECT time_zone INTO zone FROM offices WHERE id = e.office_id;
  INSERT INTO dashboard_enrolment_counts
    (office_id, programme_key, year, region_code, quota_id, cohort_id, status, current_step, activated_month, n)
  VALUES (e.office_id, e.programme_key, e.year, region, coalesce(e.quota_id::text, ''), coalesce(e.cohort_id::text, ''),
    e.status, coalesce(e.current_step, ''), coalesce(to_char(e.activated_at AT TIME ZONE zone, 'YYYY-MM'), ''), sign);
  IF e.status = 'completed' AND e.completed_at IS NOT NULL AND e.activated_at IS NOT NULL THEN
    INSERT INTO dashboard_completion_durations (office_id, programme_key, year, region_code, duration_days, n)
    VALUES (e.office_id, e.programme_key, e.year, region,
      floor(extract(epoch FROM e.completed_at - e.activated_at) / 86400)::integer, sign);
  END IF;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION dashboard_count_step(s step_instances, region text, sign integer) RETURNS void LANGUAGE plpgsql AS $$
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
CREATE FUNCTION dashboard_enrolments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  region text;
BEGIN
  -- Most updates touch only updated_at: nothing the summary counts by changed.
  IF TG_OP = 'UPDATE' AND (OLD.office_id, OLD.programme_key, OLD.year, OLD.quota_id, OLD.cohort_id, OLD.status,
      OLD.current_step, OLD.activated_at, OLD.completed_at, OLD.business_id)
    IS NOT DISTINCT FROM (NEW.office_id, NEW.programme_key, NEW.year, NEW.quota_id, NEW.cohort_id, NEW.status,
      NEW.current_step, NEW.activated_at, NEW.completed_at, NEW.business_id) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    SELECT region_code INTO region FROM businesses WHERE id = OLD.business_id;
    PERFORM dashboard_count_enrolment(OLD, region, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT region_code INTO region FROM businesses WHERE id = NEW.business_id;
    PERFORM dashboard_count_enrolment(NEW, region, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER dashboard_enrolments_changed AFTER INSERT OR UPDATE OR DELETE ON enrolments
  FOR EACH ROW EXECUTE FUNCTION dashboard_enrolments_changed();
--> statement-breakpoint
CREATE FUNCTION dashboard_steps_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Status open and paused count alike (an open step); the rest of an update (notes, extensions) counts for nothing.
  IF TG_OP = 'UPDATE' AND (OLD.status = NEW.status OR OLD.status IN ('open', 'paused') AND NEW.status IN ('open', 'paused'))
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
CREATE TRIGGER dashboard_steps_changed AFTER INSERT OR UPDATE OR DELETE ON step_instances
  FOR EACH ROW EXECUTE FUNCTION dashboard_steps_changed();
--> statement-breakpoint
CREATE FUNCTION dashboard_businesses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e enrolments;
  s step_instances;
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.office_id, OLD.region_code, OLD.sentra_id)
    IS NOT DISTINCT FROM (NEW.office_id, NEW.region_code, NEW.sentra_id) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO dashboard_business_counts (office_id, region_code, sentra_id, n)
    VALUES (OLD.office_id, OLD.region_code, coalesce(OLD.sentra_id::text, ''), -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO dashboard_business_counts (office_id, region_code, sentra_id, n)
    VALUES (NEW.office_id, NEW.region_code, coalesce(NEW.sentra_id::text, ''), 1);
  END IF;
  -- A business that moves to another kabupaten/kota takes its enrolments' and steps' counts along.
  IF TG_OP = 'UPDATE' AND OLD.region_code <> NEW.region_code THEN
    FOR e IN SELECT * FROM enrolments WHERE business_id = NEW.id LOOP
      PERFORM dashboard_count_enrolment(e, OLD.region_code, -1);
      PERFORM dashboard_count_enrolment(e, NEW.region_code, 1);
      FOR s IN SELECT * FROM step_instances WHERE enrolment_id = e.id LOOP
        PERFORM dashboard_count_step(s, OLD.region_code, -1);
        PERFORM dashboard_count_step(s, NEW.region_code, 1);
      END LOOP;
    END LOOP;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER dashboard_businesses_changed AFTER INSERT OR UPDATE OR DELETE ON businesses
  FOR EACH ROW EXECUTE FUNCTION dashboard_businesses_changed();
--> statement-breakpoint
-- Rows written before this migration: counted once, already folded.
INSERT INTO dashboard_business_counts (office_id, region_code, sentra_id, n, folded)
SELECT office_id, region_code, coalesce(sentra_id::text, ''), count(*), true FROM businesses GROUP BY 1, 2, 3;
--> statement-breakpoint
SELECT dashboard_count_enrolment(e, b.region_code, 1) FROM enrolments e JOIN businesses b ON b.id = e.business_id;
--> statement-breakpoint
SELECT dashboard_count_step(s, NULL, 1) FROM step_instances s;
