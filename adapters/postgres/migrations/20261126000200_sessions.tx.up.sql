-- One session is one refresh-token family: the current hash sits on the
-- session row, every hash it rotated away sits in ba_refresh_tokens.
CREATE TABLE IF NOT EXISTS ba_sessions (
    id                 text        PRIMARY KEY,
    user_id            text        NOT NULL,
    refresh_hash       text        NOT NULL,
    device_fingerprint text        NOT NULL DEFAULT '',
    device_info        text        NOT NULL DEFAULT '',
    ip_address         text        NOT NULL DEFAULT '',
    is_public_device   boolean     NOT NULL DEFAULT false,
    is_verified_device boolean     NOT NULL DEFAULT false,
    auth_method        text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    last_used_at       timestamptz NOT NULL,
    revoked_at         timestamptz,
    step_up_at         timestamptz
)
--bun:split
CREATE UNIQUE INDEX IF NOT EXISTS ba_sessions_refresh_hash_key ON ba_sessions (refresh_hash)
--bun:split
CREATE INDEX IF NOT EXISTS ba_sessions_user_created_idx ON ba_sessions (user_id, created_at DESC, id DESC)
--bun:split
CREATE INDEX IF NOT EXISTS ba_sessions_user_device_idx ON ba_sessions (user_id, device_fingerprint) WHERE device_fingerprint <> ''
--bun:split
CREATE INDEX IF NOT EXISTS ba_sessions_expires_idx ON ba_sessions (expires_at)
--bun:split
CREATE TABLE IF NOT EXISTS ba_refresh_tokens (
    hash       text        PRIMARY KEY,
    session_id text        NOT NULL,
    rotated_at timestamptz NOT NULL
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_refresh_tokens_session_idx ON ba_refresh_tokens (session_id)
--bun:split
CREATE TABLE IF NOT EXISTS ba_otp_tokens (
    id                 text        PRIMARY KEY,
    purpose            text        NOT NULL,
    subject            text        NOT NULL,
    hash               text        NOT NULL,
    device_fingerprint text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    used_at            timestamptz,
    attempts           integer     NOT NULL DEFAULT 0,
    max_attempts       integer     NOT NULL DEFAULT 0
)
--bun:split
-- Link hashes (256-bit random) are unique and looked up; code hashes repeat
-- (a 6-digit code recurs) and are looked up by subject and purpose instead.
CREATE UNIQUE INDEX IF NOT EXISTS ba_otp_tokens_link_hash_key ON ba_otp_tokens (hash) WHERE max_attempts = 0
--bun:split
CREATE INDEX IF NOT EXISTS ba_otp_tokens_subject_created_idx ON ba_otp_tokens (subject, created_at DESC, id DESC)
--bun:split
CREATE INDEX IF NOT EXISTS ba_otp_tokens_unused_idx ON ba_otp_tokens (subject, purpose, created_at DESC, id DESC) WHERE used_at IS NULL
--bun:split
CREATE INDEX IF NOT EXISTS ba_otp_tokens_expires_idx ON ba_otp_tokens (expires_at)
--bun:split
CREATE INDEX IF NOT EXISTS ba_otp_tokens_used_idx ON ba_otp_tokens (used_at) WHERE used_at IS NOT NULL
