CREATE TABLE "assistant_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"assistant_id" text NOT NULL,
	"assistant_name" text NOT NULL,
	"verification_date" date NOT NULL,
	"assigned_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assistant_assignments_enrolment_id_unique" UNIQUE("enrolment_id")
);
--> statement-breakpoint
ALTER TABLE "assistant_assignments" ADD CONSTRAINT "assistant_assignments_enrolment_id_enrolments_id_fk" FOREIGN KEY ("enrolment_id") REFERENCES "public"."enrolments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistant_assignments" ADD CONSTRAINT "assistant_assignments_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistant_assignments_day_idx" ON "assistant_assignments" USING btree ("assistant_id","verification_date");