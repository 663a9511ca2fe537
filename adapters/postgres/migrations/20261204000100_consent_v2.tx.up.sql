-- Consent chain version 2: the notice hash, the source, the consent manager,
-- and keyed digests of the IP address and user agent that the version-2 hash
-- covers in place of the raw values. Rows stored before keep version 1.
-- ADD COLUMN with a default fires no row trigger: the append-only guard stays.
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS chain_version smallint NOT NULL DEFAULT 1;
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS notice_hash text NOT NULL DEFAULT '';
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT '';
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS manager_id text NOT NULL DEFAULT '';
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS manager_reference text NOT NULL DEFAULT '';
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS ip_digest text NOT NULL DEFAULT '';
ALTER TABLE ba_consent_log ADD COLUMN IF NOT EXISTS user_agent_digest text NOT NULL DEFAULT '';

-- The keyed checkpoint of each user's chain head, replaced in the transaction
-- of every append.
CREATE TABLE IF NOT EXISTS ba_consent_checkpoints (
    user_id text   PRIMARY KEY,
    seq     bigint NOT NULL,
    head    text   NOT NULL,
    mac     text   NOT NULL
);

-- The consent outbox: a change per consent row, written in the transaction of
-- the row, removed once a listener took it. due_at is when it may be claimed
-- (again); the claim query takes each user's oldest entry only.
CREATE TABLE IF NOT EXISTS ba_consent_outbox (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     text        NOT NULL,
    seq         bigint      NOT NULL,
    category    text        NOT NULL,
    granted     boolean     NOT NULL,
    source      text        NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    attempts    integer     NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ba_consent_outbox_user_idx ON ba_consent_outbox (user_id, id);
CREATE INDEX IF NOT EXISTS ba_consent_outbox_due_idx ON ba_consent_outbox (due_at, id);
