"""SQLite storage: one connection, numbered migrations, one store class per area."""

from bot.db.connection import open_database
from bot.db.migrations import MigrationError, apply_migrations, latest_version

__all__ = ["MigrationError", "apply_migrations", "latest_version", "open_database"]
