-- Purge deletes failure counters that are as good as absent: no lock history,
-- not locked, and a last failure older than the count-restart window.
CREATE INDEX IF NOT EXISTS ba_lockouts_stale_idx ON ba_lockouts (last_failure_at)
    WHERE soft_locks = 0 AND hard_locks = 0 AND NOT hard_locked;
