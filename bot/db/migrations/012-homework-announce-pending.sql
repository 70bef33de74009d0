-- A homework post is two steps: the row (committed), then its announcement in the channel. A bot
-- killed between them left a row with no announcement (no buttons; a moderator retrying got a
-- duplicate). ``announce_pending`` marks a post whose announcement is not known to be attached yet;
-- the bot finishes it when it starts (cogs/homework/_announcements.py).
ALTER TABLE homework ADD COLUMN announce_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX homework_announce_pending ON homework (announce_pending) WHERE announce_pending = 1;
