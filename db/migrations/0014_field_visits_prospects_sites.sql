-- Fuzzy matching of prospects by name and address (similarity()); a trusted extension since Postgres 13.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "prospects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"name" text NOT NULL,
	"owner_name" text,
	"address" text NOT NULL,
	"kelurahan" text NOT NULL,
	"region_code" text NOT NULL,
	"nib" text,
	"kbli" text,
	"phone" text,
	"products" text[] DEFAULT '{}'::text[] NOT NULL,
	"found_on_visit_id" uuid,
	"business_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prospects_nib_format" CHECK ("prospects"."nib" is null or "prospects"."nib" ~ '^[0-9]{13}$'),
	CONSTRAINT "prospects_kbli_format" CHECK ("prospects"."kbli" is null or "prospects"."kbli" ~ '^[0-9]{5}$')
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"area_ha" numeric(12, 2),
	"owner" text,
	"state" text NOT NULL,
	"last_visit_on" date,
	"last_visit_id" uuid,
	"notes" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sites_area_positive" CHECK ("sites"."area_ha" is null or "sites"."area_ha" > 0)
);
--> statement-breakpoint
CREATE TABLE "visit_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"visit_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"content_type" text NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visit_attachments_storage_key_unique" UNIQUE("storage_key"),
	CONSTRAINT "visit_attachments_size_limit" CHECK ("visit_attachments"."size_bytes" > 0 AND "visit_attachments"."size_bytes" <= 20971520)
);
--> statement-breakpoint
CREATE TABLE "visit_businesses" (
	"visit_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	CONSTRAINT "visit_businesses_visit_id_business_id_pk" PRIMARY KEY("visit_id","business_id")
);
--> statement-breakpoint
CREATE TABLE "visit_follow_ups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"visit_id" uuid NOT NULL,
	"office_id" uuid NOT NULL,
	"action" text NOT NULL,
	"due_date" date NOT NULL,
	"assignee_user_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"done_by" uuid,
	"done_at" timestamp with time zone,
	"last_notice" text DEFAULT 'none' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visit_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"name" text NOT NULL,
	"place" text NOT NULL,
	"recurrence" jsonb NOT NULL,
	"team_user_ids" uuid[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visit_team" (
	"visit_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "visit_team_visit_id_user_id_pk" PRIMARY KEY("visit_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"plan_id" uuid,
	"slot_key" text,
	"date" date NOT NULL,
	"place" text NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"findings" text,
	"closed_by" uuid,
	"closed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visits_plan_slot_unique" UNIQUE("plan_id","slot_key"),
	CONSTRAINT "visits_slot_with_plan" CHECK (("visits"."plan_id" is null) = ("visits"."slot_key" is null))
);
--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_found_on_visit_id_visits_id_fk" FOREIGN KEY ("found_on_visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_last_visit_id_visits_id_fk" FOREIGN KEY ("last_visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_attachments" ADD CONSTRAINT "visit_attachments_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_attachments" ADD CONSTRAINT "visit_attachments_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_businesses" ADD CONSTRAINT "visit_businesses_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_businesses" ADD CONSTRAINT "visit_businesses_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_follow_ups" ADD CONSTRAINT "visit_follow_ups_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_follow_ups" ADD CONSTRAINT "visit_follow_ups_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_follow_ups" ADD CONSTRAINT "visit_follow_ups_assignee_user_id_users_id_fk" FOREIGN KEY ("assignee_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_follow_ups" ADD CONSTRAINT "visit_follow_ups_done_by_users_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_follow_ups" ADD CONSTRAINT "visit_follow_ups_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_plans" ADD CONSTRAINT "visit_plans_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_plans" ADD CONSTRAINT "visit_plans_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_team" ADD CONSTRAINT "visit_team_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_team" ADD CONSTRAINT "visit_team_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_plan_id_visit_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."visit_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "prospects_nib_unique" ON "prospects" USING btree ("nib");--> statement-breakpoint
CREATE UNIQUE INDEX "prospects_business_unique" ON "prospects" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "prospects_place_idx" ON "prospects" USING btree ("office_id","region_code");--> statement-breakpoint
CREATE INDEX "sites_office_region_idx" ON "sites" USING btree ("office_id","region_code","name","id");--> statement-breakpoint
CREATE INDEX "visit_attachments_visit_idx" ON "visit_attachments" USING btree ("visit_id");--> statement-breakpoint
CREATE INDEX "visit_follow_ups_visit_idx" ON "visit_follow_ups" USING btree ("visit_id");--> statement-breakpoint
CREATE INDEX "visit_follow_ups_scan_idx" ON "visit_follow_ups" USING btree ("due_date") WHERE "visit_follow_ups"."status" = 'open' and "visit_follow_ups"."last_notice" <> 'escalation';--> statement-breakpoint
CREATE INDEX "visit_plans_office_idx" ON "visit_plans" USING btree ("office_id");--> statement-breakpoint
CREATE INDEX "visit_team_user_idx" ON "visit_team" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "visits_office_date_idx" ON "visits" USING btree ("office_id","date");