CREATE INDEX "businesses_office_name_idx" ON "businesses" USING btree ("office_id","name","id");--> statement-breakpoint
CREATE INDEX "businesses_sentra_idx" ON "businesses" USING btree ("sentra_id");--> statement-breakpoint
CREATE INDEX "certificates_business_idx" ON "certificates" USING btree ("business_id");--> statement-breakpoint
ALTER TABLE "sentra" ADD CONSTRAINT "sentra_office_name_unique" UNIQUE("office_id","name");