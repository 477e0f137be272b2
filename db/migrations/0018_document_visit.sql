ALTER TABLE "documents" ADD COLUMN "visit" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Versions handed in before this column existed belong to the visit of their step that was open when they came: the
-- latest visit opened before the upload.
UPDATE "documents" d SET "visit" = coalesce((
  SELECT max(s."visit") FROM "step_instances" s
  WHERE s."enrolment_id" = d."enrolment_id" AND s."step_key" = d."step_key" AND s."opened_at" <= d."uploaded_at"
), 1);
