-- Weekly study sessions (issue 6): a series scheduled at once, one row per meeting.
CREATE TABLE session_series (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    channel_id  INTEGER,                    -- where /session schedule was used (fallback for posts)
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX session_series_guild ON session_series (guild_id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    series_id     INTEGER NOT NULL REFERENCES session_series (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,         -- 1, 2, … within the series
    week          INTEGER NOT NULL,         -- course week: links the week's homework and papers
    title         TEXT NOT NULL,
    topic         TEXT NOT NULL DEFAULT '',
    starts_at     TEXT NOT NULL,            -- UTC ISO-8601 (as bot.db.reminders.to_text writes it)
    ends_at       TEXT NOT NULL,
    link          TEXT NOT NULL,            -- the call
    event_id      INTEGER,                  -- its Discord scheduled event, when one was created
    cancelled_at  TEXT,                     -- cancelled sessions are kept (questions point at them)
    updated_at    TEXT,
    UNIQUE (series_id, number)
);
CREATE INDEX sessions_guild_start ON sessions (guild_id, starts_at);

-- Members who pressed "Remind me" for a session (their reminder rows live in `reminders`).
CREATE TABLE session_optins (
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (session_id, user_id)
);
