-- Links a server keeps for its members (/resources), one row per resource.
CREATE TABLE resources (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL,
    url_key     TEXT NOT NULL,               -- the URL normalised for duplicate checks
    category    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',    -- comma-separated, lower case
    added_by    INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (guild_id, url_key),
    UNIQUE (guild_id, title COLLATE NOCASE)
);
CREATE INDEX resources_guild_category ON resources (guild_id, category, title COLLATE NOCASE);
