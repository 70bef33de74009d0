-- Model demo calls, kept for the "Show code" and "Run again" buttons (which outlive restarts).
CREATE TABLE demo_runs (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER,                -- NULL in direct messages
    user_id     INTEGER NOT NULL,
    task        TEXT NOT NULL,
    model       TEXT,                   -- the catalog id the member chose (NULL: the task's default)
    inputs      TEXT NOT NULL,          -- JSON list
    params      TEXT NOT NULL,          -- JSON object, as validated
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX demo_runs_created ON demo_runs (created_at);
