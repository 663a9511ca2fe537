-- SMS budgets (ports.SMSBudget). ba_sms_budgets has one row per key: every
-- TakeSMS upserts the rows of its keys in key order and holds their locks to
-- commit, so takes sharing a key run one at a time and takes on different
-- keys never wait for each other. expires_at is when the key's newest send
-- leaves its window (Purge deletes the row after it).
CREATE TABLE IF NOT EXISTS ba_sms_budgets (
    key        text        PRIMARY KEY,
    expires_at timestamptz NOT NULL
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_sms_budgets_expires_idx ON ba_sms_budgets (expires_at)
--bun:split
-- One row per counted send of a key, read by (key, sent_at) for the sliding
-- window; expires_at is when it leaves the window it was counted under.
CREATE TABLE IF NOT EXISTS ba_sms_sends (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        text        NOT NULL,
    sent_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_sms_sends_key_idx ON ba_sms_sends (key, sent_at)
--bun:split
CREATE INDEX IF NOT EXISTS ba_sms_sends_expires_idx ON ba_sms_sends (expires_at)
