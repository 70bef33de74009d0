-- Homework moderators post (/homework), and each member's status for each homework.
CREATE TABLE homework (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    week             INTEGER NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    due_at           TEXT NOT NULL,              -- UTC ISO-8601
    optional         INTEGER NOT NULL DEFAULT 0,
    channel_reminder INTEGER NOT NULL DEFAULT 0, -- also remind the channel before the due date
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    channel_id       INTEGER,                    -- where the announcement is
    message_id       INTEGER,                    -- the announcement with the buttons
    created_by       INTEGER NOT NULL,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX homework_guild_due ON homework (guild_id, due_at);

CREATE TABLE homework_status (
    homework_id INTEGER NOT NULL REFERENCES homework (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    done_at     TEXT,                            -- UTC ISO-8601 when marked done, else NULL
    remind      INTEGER NOT NULL DEFAULT 0,      -- pressed "Remind me"
    PRIMARY KEY (homework_id, user_id)
);
CREATE INDEX homework_status_member ON homework_status (guild_id, user_id);
