CREATE TABLE "dashboard_due_steps" (
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"programme_version" integer NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"step_key" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_step_days" (
	"office_id" uuid NOT NULL,
	"programme_key" text NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"step_key" text NOT NULL,
	"duration_days" integer NOT NULL,
	"n" integer NOT NULL,
	"folded" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_due_steps_folded" ON "dashboard_due_steps" USING btree ("office_id","programme_key","programme_version","year","region_code","step_key","due_at") WHERE "dashboard_due_steps"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_due_steps_pending" ON "dashboard_due_steps" USING btree ("office_id") WHERE not "dashboard_due_steps"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_due_steps_due" ON "dashboard_due_steps" USING btree ("office_id","due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_step_days_folded" ON "dashboard_step_days" USING btree ("office_id","programme_key","year","region_code","step_key","duration_days") WHERE "dashboard_step_days"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_step_days_pending" ON "dashboard_step_days" USING btree ("office_id") WHERE not "dashboard_step_days"."folded";--> statement-breakpoint
CREATE INDEX "dashboard_step_durations_steps" ON "dashboard_step_durations" USING btree ("office_id","year","programme_key","step_key");