-- Where each session was announced (/session announce), so a second announcement can point at
-- the first one instead of posting the same session twice (issue 15).
CREATE TABLE session_announcements (
    session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER NOT NULL,
    announced_by  INTEGER NOT NULL,
    announced_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (session_id, message_id)
);
