-- DPDP nominees (§14): append-only; removing a nominee sets removed_at.
CREATE TABLE IF NOT EXISTS ba_nominees (
    id           text        PRIMARY KEY,
    user_id      text        NOT NULL,
    name         text        NOT NULL,
    email        text        NOT NULL,
    relationship text        NOT NULL DEFAULT '',
    added_at     timestamptz NOT NULL,
    removed_at   timestamptz
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_nominees_user_idx ON ba_nominees (user_id, added_at, id)
