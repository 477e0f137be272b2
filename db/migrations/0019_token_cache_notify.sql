-- The API caches token look-ups (api/plugins/auth.ts) and listens on `pendamping_tokens` to hear, at commit, of every
-- change that could refuse a cached token: a token revoked, changed or deleted, or its user's role, office, business or
-- disabling changed, or the user deleted. The payload is the user's id; `*` drops every entry. A token's insertion is
-- not announced: no cache holds a token before it exists.
CREATE OR REPLACE FUNCTION token_cache_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pendamping_tokens', OLD.user_id::text);
  IF TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id THEN
    PERFORM pg_notify('pendamping_tokens', NEW.user_id::text);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER token_cache_tokens AFTER UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION token_cache_tokens_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION token_cache_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Most updates (a password, a language, preferences) change nothing a cached look-up holds.
  IF TG_OP = 'UPDATE' AND (OLD.role, OLD.office_id, OLD.business_id, OLD.disabled_at)
    IS NOT DISTINCT FROM (NEW.role, NEW.office_id, NEW.business_id, NEW.disabled_at) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('pendamping_tokens', OLD.id::text);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER token_cache_users AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION token_cache_users_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION token_cache_everything_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pendamping_tokens', '*');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER token_cache_tokens_truncated AFTER TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION token_cache_everything_changed();
--> statement-breakpoint
CREATE TRIGGER token_cache_users_truncated AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION token_cache_everything_changed();
