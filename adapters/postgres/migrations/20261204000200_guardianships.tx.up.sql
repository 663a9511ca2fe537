-- A child's account (DPDP Act 2023 §9) is created with a pending
-- guardianship; a guardian confirms it once. proposed holds the consent
-- decisions submitted at registration, recorded on the child's chain only at
-- confirmation. Deleting the child's user deletes its guardianship.
CREATE TABLE IF NOT EXISTS ba_guardianships (
    child_id       text        PRIMARY KEY REFERENCES ba_users (id) ON DELETE CASCADE,
    guardian_email text        NOT NULL,
    date_of_birth  timestamptz NOT NULL,
    requested_at   timestamptz NOT NULL,
    proposed       jsonb       NOT NULL DEFAULT '[]',
    confirmed_at   timestamptz,
    method         text        NOT NULL DEFAULT '',
    guardian_id    text        NOT NULL DEFAULT '',
    reference      text        NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ba_guardianships_guardian_idx ON ba_guardianships (guardian_id) WHERE guardian_id <> '';
CREATE INDEX IF NOT EXISTS ba_guardianships_pending_idx ON ba_guardianships (requested_at) WHERE confirmed_at IS NULL;
