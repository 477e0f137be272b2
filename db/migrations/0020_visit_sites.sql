CREATE TABLE "visit_sites" (
	"visit_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	CONSTRAINT "visit_sites_visit_id_site_id_pk" PRIMARY KEY("visit_id","site_id")
);
--> statement-breakpoint
ALTER TABLE "visit_plans" ADD COLUMN "site_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "visit_sites" ADD CONSTRAINT "visit_sites_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_sites" ADD CONSTRAINT "visit_sites_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "visit_sites_site_idx" ON "visit_sites" USING btree ("site_id");--> statement-breakpoint
-- A site's last visit, set by hand before this table, starts its history.
INSERT INTO "visit_sites" ("visit_id", "site_id")
  SELECT "last_visit_id", "id" FROM "sites" WHERE "last_visit_id" IS NOT NULL;
