ALTER TABLE "audit_log" ADD COLUMN "action_id" text;--> statement-breakpoint
ALTER TABLE "enrolments" ADD COLUMN "stuck_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "enrolments" ADD COLUMN "stuck_reason" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_action_id_unique" UNIQUE("action_id");