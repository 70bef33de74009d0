-- Reading lists (/papers): papers per week or theme, who has read them, votes for the next one.
CREATE TABLE papers (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    week            INTEGER,                     -- NULL: not scheduled for a week
    theme           TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    url             TEXT NOT NULL,
    url_key         TEXT NOT NULL,               -- the URL normalised for duplicate checks
    companion_title TEXT NOT NULL DEFAULT '',
    companion_url   TEXT NOT NULL DEFAULT '',
    arxiv_id        TEXT NOT NULL DEFAULT '',
    added_by        INTEGER NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (guild_id, url_key)
);
CREATE INDEX papers_guild_week ON papers (guild_id, week);

CREATE TABLE paper_reads (
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    read_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (paper_id, user_id)
);

CREATE TABLE paper_votes (
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    voted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (paper_id, user_id)
);
CREATE INDEX paper_votes_guild ON paper_votes (guild_id);
CREATE INDEX paper_reads_guild ON paper_reads (guild_id, user_id);
