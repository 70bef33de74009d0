-- Reminders are delivered at least once, with a check of what was already posted (bot/scheduler.py):
-- ``sent_at`` is now set when a reminder is finished (sent, expired or dropped), not when it is claimed.
ALTER TABLE reminders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0; -- attempts started so far
ALTER TABLE reminders ADD COLUMN retry_at TEXT; -- UTC ISO-8601: after a failed attempt, try again at or after this
ALTER TABLE reminders ADD COLUMN nonce TEXT;    -- chosen at the first attempt: Discord's nonce and the posted marker
CREATE INDEX reminders_next ON reminders (COALESCE(retry_at, due_at)) WHERE sent_at IS NULL;

-- Under the old rules a reminder claimed and then interrupted ('sending') or refused ('failed: …')
-- was never tried again: give those one more chance. The scheduler drops any whose deadline passed.
UPDATE reminders SET sent_at = NULL, attempts = 1, retry_at = NULL
WHERE sent_at IS NOT NULL AND (outcome = 'sending' OR outcome LIKE 'failed:%');
