-- DPDP erasure requests (§12(3)): tracked from receipt to completion or
-- cancellation. The email is kept only while a request is open, to answer it.
CREATE TABLE IF NOT EXISTS ba_erasure_requests (
    id          text        PRIMARY KEY,
    user_id     text        NOT NULL,
    email       text        NOT NULL DEFAULT '',
    language    text        NOT NULL DEFAULT '',
    status_hash text        NOT NULL,
    status      text        NOT NULL,
    received_at timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    closed_at   timestamptz,
    kept        text        NOT NULL DEFAULT ''
)
--bun:split
CREATE UNIQUE INDEX IF NOT EXISTS ba_erasure_requests_status_hash_key ON ba_erasure_requests (status_hash)
--bun:split
-- One open request per user.
CREATE UNIQUE INDEX IF NOT EXISTS ba_erasure_requests_open_key ON ba_erasure_requests (user_id) WHERE status = 'received'
--bun:split
CREATE INDEX IF NOT EXISTS ba_erasure_requests_user_idx ON ba_erasure_requests (user_id, received_at DESC, id DESC)
--bun:split
CREATE INDEX IF NOT EXISTS ba_erasure_requests_due_idx ON ba_erasure_requests (due_at) WHERE status = 'received'
