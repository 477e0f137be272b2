CREATE TABLE "dashboard_business_counts" (
	"office_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"sentra_id" text NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_completion_durations" (
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"duration_days" integer NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_enrolment_counts" (
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"quota_id" text NOT NULL,
	"cohort_id" text NOT NULL,
	"status" text NOT NULL,
	"current_step" text NOT NULL,
	"activated_month" text NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_open_steps" (
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"step_key" text NOT NULL,
	"opened_day" text NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_step_durations" (
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"step_key" text NOT NULL,
	"completed_month" text NOT NULL,
	"duration_days" integer NOT NULL,
	"due_result" text NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_business_counts_folded" ON "dashboard_business_counts" USING btree ("office_id","region_code","sentra_id") WHERE "dashboard_business_counts"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_business_counts_pending" ON "dashboard_business_counts" USING btree ("office_id") WHERE not "dashboard_business_counts"."folded";--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_completion_durations_folded" ON "dashboard_completion_durations" USING btree ("office_id","programme_key","year","region_code","duration_days") WHERE "dashboard_completion_durations"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_completion_durations_pending" ON "dashboard_completion_durations" USING btree ("office_id") WHERE not "dashboard_completion_durations"."folded";--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_enrolment_counts_folded" ON "dashboard_enrolment_counts" USING btree ("office_id","programme_key","year","region_code","quota_id","cohort_id","status","current_step","activated_month") WHERE "dashboard_enrolment_counts"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_enrolment_counts_pending" ON "dashboard_enrolment_counts" USING btree ("office_id") WHERE not "dashboard_enrolment_counts"."folded";--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_open_steps_folded" ON "dashboard_open_steps" USING btree ("office_id","programme_key","year","region_code","step_key","opened_day") WHERE "dashboard_open_steps"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_open_steps_pending" ON "dashboard_open_steps" USING btree ("office_id") WHERE not "dashboard_open_steps"."folded";--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_step_durations_folded" ON "dashboard_step_durations" USING btree ("office_id","programme_key","year","region_code","step_key","completed_month","duration_days","due_result") WHERE "dashboard_step_durations"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_step_durations_pending" ON "dashboard_step_durations" USING btree ("office_id") WHERE not "dashboard_step_durations"."folded";--> statement-breakpoint
CREATE INDEX "enrolments_dashboard_idx" ON "enrolments" USING btree ("office_id","year","programme_key","current_step","status");--> statement-breakpoint
CREATE INDEX "step_instances_open_idx" ON "step_instances" USING btree ("step_key","opened_at") WHERE "step_instances"."status" in ('open', 'paused');--> statement-breakpoint
CREATE INDEX "step_instances_late_idx" ON "step_instances" USING btree ("completed_at") WHERE "step_instances"."status" = 'done' and "step_instances"."completed_at" > "step_instances"."due_at";