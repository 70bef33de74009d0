-- The live Q&A queue (issue 6): members' questions for a session, and their upvotes.
CREATE TABLE questions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,          -- the asker: for limits and withdrawing, never shown if anonymous
    asker_name   TEXT,                      -- display name when asked; never stored for anonymous questions
    anonymous    INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    text         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'answering', 'answered', 'skipped', 'merged', 'withdrawn')),
    answer       TEXT,                      -- a moderator's optional written answer
    merged_into  INTEGER REFERENCES questions (id),
    channel_id   INTEGER,                   -- its public post (with the Upvote button)
    message_id   INTEGER,
    asked_at     TEXT NOT NULL,             -- UTC ISO-8601, from the bot's clock
    closed_at    TEXT,
    handled_by   INTEGER,                   -- the moderator who took, answered, skipped or merged it
    CHECK (anonymous = 0 OR asker_name IS NULL)
);
CREATE INDEX questions_session ON questions (guild_id, session_id, status);
CREATE INDEX questions_asker ON questions (guild_id, user_id, status);

CREATE TABLE question_votes (
    question_id  INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    voted_at     TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
