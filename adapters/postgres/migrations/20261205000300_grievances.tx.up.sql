-- DPDP grievances (§13, Rule 14): what a user filed, by when it is due, and
-- the grievance officer's answer.
CREATE TABLE IF NOT EXISTS ba_grievances (
    id           text        PRIMARY KEY,
    user_id      text        NOT NULL,
    subject      text        NOT NULL,
    message      text        NOT NULL,
    status       text        NOT NULL,
    received_at  timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    response     text        NOT NULL DEFAULT '',
    responded_at timestamptz
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_grievances_user_idx ON ba_grievances (user_id, received_at DESC, id DESC)
