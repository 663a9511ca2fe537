-- The DPDP consent log is append-only and hash-chained per user.
CREATE TABLE IF NOT EXISTS ba_consent_log (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         text        NOT NULL,
    seq             bigint      NOT NULL,
    category        text        NOT NULL,
    granted         boolean     NOT NULL,
    notice_version  text        NOT NULL DEFAULT '',
    notice_language text        NOT NULL DEFAULT '',
    ip_address      text        NOT NULL DEFAULT '',
    user_agent      text        NOT NULL DEFAULT '',
    recorded_at     timestamptz NOT NULL,
    prev_hash       text        NOT NULL DEFAULT '',
    hash            text        NOT NULL,
    CONSTRAINT ba_consent_log_user_seq_key UNIQUE (user_id, seq)
)
--bun:split
-- Refuse UPDATE, DELETE and TRUNCATE at the database level: the ledger is
-- evidence, so not even a careless admin script may rewrite it.
CREATE OR REPLACE FUNCTION ba_consent_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ba_consent_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
--bun:split
DROP TRIGGER IF EXISTS ba_consent_log_no_change ON ba_consent_log
--bun:split
CREATE TRIGGER ba_consent_log_no_change
    BEFORE UPDATE OR DELETE ON ba_consent_log
    FOR EACH ROW EXECUTE FUNCTION ba_consent_log_append_only()
--bun:split
DROP TRIGGER IF EXISTS ba_consent_log_no_truncate ON ba_consent_log
--bun:split
CREATE TRIGGER ba_consent_log_no_truncate
    BEFORE TRUNCATE ON ba_consent_log
    FOR EACH STATEMENT EXECUTE FUNCTION ba_consent_log_append_only()
