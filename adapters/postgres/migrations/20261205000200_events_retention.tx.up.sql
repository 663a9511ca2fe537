-- Retention (DPDP Rules 2025, Rule 6(1)(e)): security events are kept at least
-- a year, then pseudonymised (IP address and user agent emptied) oldest first.
-- This index holds only the events that still identify someone, so the
-- pseudonymising batches find them without a scan and it shrinks as they go.
CREATE INDEX IF NOT EXISTS ba_security_events_identified_at_idx ON ba_security_events (at)
    WHERE ip_address <> '' OR user_agent <> ''
