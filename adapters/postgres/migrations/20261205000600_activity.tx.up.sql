-- Inactive accounts (DPDP Rules 2025, Rule 8(1)-(2)): each user's last
-- activity, written at most once a day, and when a warning of erasure was sent.
CREATE TABLE IF NOT EXISTS ba_activity (
    user_id        text        PRIMARY KEY,
    last_active_at timestamptz NOT NULL,
    warned_at      timestamptz
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_activity_unwarned_idx ON ba_activity (last_active_at) WHERE warned_at IS NULL
--bun:split
CREATE INDEX IF NOT EXISTS ba_activity_warned_idx ON ba_activity (warned_at) WHERE warned_at IS NOT NULL
