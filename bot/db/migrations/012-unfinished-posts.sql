-- Posting homework and asking a question are two steps each: the row (committed), then its public
-- message with the buttons. A bot killed between them left a row members could not see (homework
-- without its Mark done, a question never put up for votes), and a retry made a duplicate. These
-- columns mark a row whose message is not known to be attached yet; the bot finishes it when it
-- starts (bot/unfinished_posts.py).
ALTER TABLE homework ADD COLUMN announce_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX homework_announce_pending ON homework (announce_pending) WHERE announce_pending = 1;
ALTER TABLE questions ADD COLUMN post_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX questions_post_pending ON questions (post_pending) WHERE post_pending = 1;
