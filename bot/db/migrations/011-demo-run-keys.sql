-- Demo calls get an unguessable key: buttons posted from now on name the call by its key
-- (``demo:code:<key>``), so a forged id cannot reach another server's call by counting. Calls stored
-- before keep a NULL key; their old buttons (``demo:code:<id>``) still work on their own server.
ALTER TABLE demo_runs ADD COLUMN key TEXT;
CREATE UNIQUE INDEX demo_runs_key ON demo_runs (key) WHERE key IS NOT NULL;
