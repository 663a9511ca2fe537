-- Phone numbers (issue 16): an account has an email, a phone number or both.
-- The number is stored in E.164 form, unique; NULL for an account without one.
ALTER TABLE ba_users ADD COLUMN IF NOT EXISTS phone text
    CONSTRAINT ba_users_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$')
--bun:split
CREATE UNIQUE INDEX IF NOT EXISTS ba_users_phone_key ON ba_users (phone) WHERE phone IS NOT NULL
--bun:split
ALTER TABLE ba_accounts ADD COLUMN IF NOT EXISTS phone_verified_at timestamptz
--bun:split
-- A phone-only account has the empty email: it must not collide with the
-- next one. Lookups by email say email <> '' so that they use this index.
DROP INDEX IF EXISTS ba_users_email_lower_key
--bun:split
CREATE UNIQUE INDEX IF NOT EXISTS ba_users_email_lower_key ON ba_users (lower(email)) WHERE email <> ''
