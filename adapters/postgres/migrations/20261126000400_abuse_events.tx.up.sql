CREATE TABLE IF NOT EXISTS ba_ip_failures (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ip         text        NOT NULL,
    identifier text        NOT NULL,
    at         timestamptz NOT NULL
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_ip_failures_ip_at_idx ON ba_ip_failures (ip, at) INCLUDE (identifier)
--bun:split
CREATE INDEX IF NOT EXISTS ba_ip_failures_at_idx ON ba_ip_failures (at)
--bun:split
CREATE TABLE IF NOT EXISTS ba_ip_blocks (
    ip            text        PRIMARY KEY,
    blocked_until timestamptz NOT NULL,
    created_at    timestamptz NOT NULL
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_ip_blocks_until_idx ON ba_ip_blocks (blocked_until)
--bun:split
CREATE TABLE IF NOT EXISTS ba_security_events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text        NOT NULL,
    kind       text        NOT NULL,
    ip_address text        NOT NULL DEFAULT '',
    user_agent text        NOT NULL DEFAULT '',
    detail     text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL
)
--bun:split
CREATE INDEX IF NOT EXISTS ba_security_events_user_at_idx ON ba_security_events (user_id, at, id)
