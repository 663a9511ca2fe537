-- Managed-mode users. Identity fields live in ba_users; the account state that
-- flows change (verification, suspension) lives in ba_accounts, so that the
-- identity row is written once at registration.
CREATE TABLE IF NOT EXISTS ba_users (
    id           text        PRIMARY KEY,
    email        text        NOT NULL,
    username     text,
    display_name text        NOT NULL DEFAULT '',
    language     text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL
)
--bun:split
CREATE UNIQUE INDEX IF NOT EXISTS ba_users_email_lower_key ON ba_users (lower(email))
--bun:split
CREATE UNIQUE INDEX IF NOT EXISTS ba_users_username_lower_key ON ba_users (lower(username)) WHERE username IS NOT NULL
--bun:split
CREATE TABLE IF NOT EXISTS ba_accounts (
    user_id           text        PRIMARY KEY REFERENCES ba_users (id) ON DELETE CASCADE,
    email_verified_at timestamptz,
    suspended         boolean     NOT NULL DEFAULT false
)
--bun:split
-- Credentials are keyed by the opaque user ID without a foreign key: in
-- external mode the users live in the app's own table.
CREATE TABLE IF NOT EXISTS ba_credentials (
    user_id             text        PRIMARY KEY,
    password_hash       text        NOT NULL DEFAULT '',
    pin_hash            text        NOT NULL DEFAULT '',
    password_changed_at timestamptz,
    pin_changed_at      timestamptz
)
--bun:split
CREATE TABLE IF NOT EXISTS ba_lockouts (
    key             text        PRIMARY KEY,
    failures        integer     NOT NULL DEFAULT 0,
    last_failure_at timestamptz,
    locked_until    timestamptz,
    hard_locked     boolean     NOT NULL DEFAULT false,
    soft_locks      integer     NOT NULL DEFAULT 0,
    hard_locks      integer     NOT NULL DEFAULT 0
)
