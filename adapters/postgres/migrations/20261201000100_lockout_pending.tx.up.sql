-- Attempts are admitted before their secret is checked and finished after it:
-- pending counts the admitted ones still running, so parallel guesses stay
-- bounded while only real failures lock a key. Keys changed shape in the same
-- release (per identifier, per verified device, per PIN): counters under the
-- old "user:" keys are no longer read and age out through Purge.
ALTER TABLE ba_lockouts ADD COLUMN IF NOT EXISTS pending integer NOT NULL DEFAULT 0;
ALTER TABLE ba_lockouts ADD COLUMN IF NOT EXISTS pending_since timestamptz;
