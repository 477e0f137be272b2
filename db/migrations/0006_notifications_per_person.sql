CREATE TABLE "notification_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"notification_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"language" text NOT NULL,
	"time_zone" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"message_key" text NOT NULL,
	"resends" integer DEFAULT 0 NOT NULL,
	"provider_message_id" text,
	"last_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_deliveries_channel" UNIQUE("notification_id","channel")
);
--> statement-breakpoint
CREATE TABLE "notification_texts" (
	"kind" text NOT NULL,
	"language" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_texts_kind_language_pk" PRIMARY KEY("kind","language")
);
--> statement-breakpoint
DROP INDEX "notifications_status_idx";--> statement-breakpoint
DROP INDEX "notifications_business_idx";--> statement-breakpoint
ALTER TABLE "businesses" ADD COLUMN "notification_preferences" jsonb DEFAULT '{"email":true,"whatsapp":true,"webhook":true,"digest":true}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "recipient_user_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "params" jsonb DEFAULT '{"id":[],"en":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "read_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "planned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "language" text DEFAULT 'id' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "notification_preferences" jsonb DEFAULT '{"email":true,"whatsapp":true,"webhook":true,"digest":true}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "head_of_office" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_texts" ADD CONSTRAINT "notification_texts_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries" USING btree ("next_attempt_at") WHERE "notification_deliveries"."status" in ('queued', 'sending');--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_recipient_user_id_users_id_fk" FOREIGN KEY ("recipient_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("recipient_user_id","scheduled_for");--> statement-breakpoint
CREATE INDEX "notifications_office_idx" ON "notifications" USING btree ("office_id","scheduled_for");--> statement-breakpoint
CREATE INDEX "notifications_unplanned_idx" ON "notifications" USING btree ("created_at") WHERE "notifications"."planned_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_business_idx" ON "notifications" USING btree ("business_id","recipient_role","scheduled_for");--> statement-breakpoint
-- Rows from before per-person notifications keep their read state and are not delivered now, long after the event.
UPDATE "notifications" SET "read_at" = "created_at" WHERE "status" = 'read';--> statement-breakpoint
UPDATE "notifications" SET "planned_at" = "created_at";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "channel";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "status";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "attempts";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "last_error";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "sent_at";