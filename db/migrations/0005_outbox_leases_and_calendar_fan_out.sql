ALTER TABLE "outbox" ALTER COLUMN "enrolment_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "office_id" uuid;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_kind_fields" CHECK (("outbox"."kind" = 'start_enrolment' and "outbox"."enrolment_id" is not null and "outbox"."office_id" is null)
        or ("outbox"."kind" = 'calendar_fan_out' and "outbox"."enrolment_id" is null));