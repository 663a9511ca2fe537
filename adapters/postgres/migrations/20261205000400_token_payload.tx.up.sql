-- A one-time token's payload: what its purpose needs besides the subject (an
-- email change's new address). A constant default keeps the ALTER instant.
ALTER TABLE ba_otp_tokens ADD COLUMN IF NOT EXISTS payload text NOT NULL DEFAULT ''
