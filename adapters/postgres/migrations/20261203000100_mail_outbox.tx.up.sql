-- The outbox of emails (ports.MailQueue): a message is written here before it
-- is sent and deleted once delivered or given up on, so a crash or a mail
-- server outage loses no login code or receipt. payload is sealed by core
-- (AES-GCM under a key derived from the app's secret, recipient included), so
-- the table holds no address, code or link in the clear. A row is leased to
-- one sender at a time: lease names it, leased_until bounds it (NULL: free).
CREATE TABLE IF NOT EXISTS ba_mail_outbox (
    id           text PRIMARY KEY,
    payload      bytea NOT NULL,
    not_after    timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    lease        text NOT NULL DEFAULT '',
    leased_until timestamptz
);

--bun:split

CREATE INDEX IF NOT EXISTS ba_mail_outbox_due ON ba_mail_outbox (due_at, id);
