-- Reminders of every kind (homework, sessions), sent once by the one scheduler.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,              -- which handler sends it, e.g. 'homework.member'
    target_id   INTEGER,                    -- the homework, session … it is about
    user_id     INTEGER,                    -- the member to remind, if any
    channel_id  INTEGER,                    -- where to post, if any
    due_at      TEXT NOT NULL,              -- UTC ISO-8601: send at or after this
    expires_at  TEXT,                       -- UTC ISO-8601: never send at or after this
    payload     TEXT NOT NULL DEFAULT '{}', -- JSON for the handler
    dedupe_key  TEXT UNIQUE,                -- one reminder per key (re-adding is a no-op)
    sent_at     TEXT,                       -- set once, when claimed for sending
    outcome     TEXT                        -- 'sent', 'expired', 'failed: …'
);
CREATE INDEX reminders_pending ON reminders (due_at) WHERE sent_at IS NULL;
