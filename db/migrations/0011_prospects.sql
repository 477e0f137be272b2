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
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_found_on_visit_id_visits_id_fk" FOREIGN KEY ("found_on_visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "prospects_nib_unique" ON "prospects" USING btree ("nib");--> statement-breakpoint
CREATE UNIQUE INDEX "prospects_business_unique" ON "prospects" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "prospects_place_idx" ON "prospects" USING btree ("office_id","region_code");