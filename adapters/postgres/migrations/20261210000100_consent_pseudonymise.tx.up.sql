-- Pseudonymising consent rows (DPDP §8(7) erasure, Rules 2025 Rule 6(1)(e)
-- retention). A chain version 2 row hashes keyed digests of its IP address
-- and user agent, not the raw values, so emptying ip_address and user_agent
-- keeps its hash valid. The ledger stays append-only for everything else:
-- the one UPDATE allowed empties either or both raw columns of a version 2
-- row and changes nothing else. Version 1 rows hash the raw values, so they
-- are never changed; they stay as recorded evidence.
CREATE OR REPLACE FUNCTION ba_consent_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    expected ba_consent_log;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_version >= 2
        AND NEW.ip_address IN ('', OLD.ip_address)
        AND NEW.user_agent IN ('', OLD.user_agent) THEN
        expected := OLD;
        expected.ip_address := NEW.ip_address;
        expected.user_agent := NEW.user_agent;
        IF ROW(NEW.*) IS NOT DISTINCT FROM ROW(expected.*) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'ba_consent_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
--bun:split
-- The consent rows that still identify someone, for retention's oldest-first
-- batches; it shrinks as they are pseudonymised.
CREATE INDEX IF NOT EXISTS ba_consent_log_identified_at_idx ON ba_consent_log (recorded_at)
    WHERE chain_version >= 2 AND (ip_address <> '' OR user_agent <> '')
