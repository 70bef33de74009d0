-- Servers the bot knows, with the settings moderators keep per server.
CREATE TABLE guilds (
    guild_id    INTEGER PRIMARY KEY,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    joined_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Every write a moderator makes: who, what, when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, created_at);
