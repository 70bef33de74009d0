"""Resources a server keeps (``/resources``): validation, and one method per query.

Every query is filtered by ``guild_id``: one server can never read or change another's rows.
Writes are one unit of work each (the row, its audit entry, one commit) through
:func:`bot.db.transaction.transaction`, so a reply that says "saved" follows a commit.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiosqlite

from bot.db import audit
from bot.db.connection import StoreConnection
from bot.db.transaction import transaction
from bot.errors import UserFacingError
from bot.validation import one_line

log = logging.getLogger(__name__)

#: The categories a resource can be filed under, in display order.
CATEGORIES = ("setup", "course", "fastai", "libraries", "papers", "podcasts", "tools", "community")
TITLE_MAX = 100  # fits an autocomplete choice, a select option and an embed field name
URL_MAX = 512
DESCRIPTION_MAX = 1000  # fits an embed field value with room for the link and tags
TAGS_MAX = 10
TAG_MAX = 32
IMPORT_MAX = 500

_SPACES = re.compile(r"\s+")
_TAG_RE = re.compile(r"^[\w][\w .+#-]*$")


# --- validation (pure) -------------------------------------------------------------------------


def check_url(url: str, what: str = "The link") -> str:
    """``url`` stripped, if it is an absolute http(s) URL within Discord's limits."""
    text = url.strip()
    if not text:
        raise UserFacingError(f"{what} is empty: give a full address starting with https://.")
    if len(text) > URL_MAX:
        raise UserFacingError(f"{what} is {len(text)} characters long; the limit is {URL_MAX}.")
    if any(char.isspace() for char in text):
        raise UserFacingError(f"{what} contains spaces; paste the address exactly as the browser shows it.")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise UserFacingError(f"{what} {text[:80]!r} is not a valid web address.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UserFacingError(f"{what} must start with http:// or https:// (got {text[:80]!r}).")
    if not host or "." not in host.strip("."):
        raise UserFacingError(f"{what} {text[:80]!r} has no host name such as huggingface.co.")
    return text


def url_key(url: str) -> str:
    """``url`` normalised for duplicate checks: scheme and host in lower case, no ``www.``,
    no default port, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    return urlunsplit(
        ("https" if parts.scheme.lower() in ("http", "https") else parts.scheme, host, path, parts.query, "")
    )


def check_title(title: str, what: str = "The title") -> str:
    """``title`` with its spaces tidied, if it is 1 to :data:`TITLE_MAX` characters."""
    return one_line(title, TITLE_MAX, what)


def check_description(description: str) -> str:
    """``description`` stripped, if it is at most :data:`DESCRIPTION_MAX` characters."""
    text = description.strip()
    if len(text) > DESCRIPTION_MAX:
        raise UserFacingError(
            f"The description is {len(text)} characters long; the limit is {DESCRIPTION_MAX}."
        )
    return text


def check_category(name: str, known: Iterable[str] = CATEGORIES) -> str:
    """The category ``name`` (case-insensitive); an unknown one suggests the nearest known ones."""
    options = list(known)
    wanted = name.strip().lower()
    if wanted in options:
        return wanted
    close = difflib.get_close_matches(wanted, options, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(f'**{c}**' for c in close)}?" if close else ""
    raise UserFacingError(
        f"There is no category {name.strip()[:40]!r}.{hint} Categories: {', '.join(options)}."
    )


def parse_tags(tags: str | Iterable[str] | None) -> tuple[str, ...]:
    """Tags from ``"a, b"`` or a list: lower case, without ``#``, no repeats, within the limits."""
    if tags is None:
        return ()
    items = tags.split(",") if isinstance(tags, str) else [str(tag) for tag in tags]
    found: list[str] = []
    for item in items:
        tag = _SPACES.sub(" ", item).strip().lstrip("#").strip().lower()
        if not tag or tag in found:
            continue
        if len(tag) > TAG_MAX:
            raise UserFacingError(f"The tag {tag[:40]!r}… is longer than {TAG_MAX} characters.")
        if not _TAG_RE.match(tag):
            raise UserFacingError(f"The tag {tag!r} may only hold letters, digits, spaces and . + # -.")
        found.append(tag)
    if len(found) > TAGS_MAX:
        raise UserFacingError(f"That is {len(found)} tags; a resource can have at most {TAGS_MAX}.")
    return tuple(found)


@dataclass(frozen=True)
class ResourceDraft:
    """A resource as a moderator or a file gives it, validated."""

    title: str
    url: str
    category: str
    description: str = ""
    tags: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        title: str,
        url: str,
        category: str,
        description: str | None = "",
        tags: str | Iterable[str] | None = None,
    ) -> ResourceDraft:
        """Validate every field; raises :class:`UserFacingError` with the first problem found."""
        return cls(
            title=check_title(title),
            url=check_url(url),
            category=check_category(category),
            description=check_description(description or ""),
            tags=parse_tags(tags),
        )

    @classmethod
    def from_mapping(cls, entry: Any) -> ResourceDraft:
        """A draft from one imported entry (a JSON/YAML object)."""
        if not isinstance(entry, Mapping):
            raise UserFacingError("it is not an object with title, url and category")
        missing = [key for key in ("title", "url", "category") if not entry.get(key)]
        if missing:
            raise UserFacingError(f"it has no {', '.join(missing)}")
        for key in ("title", "url", "category", "description"):
            if entry.get(key) is not None and not isinstance(entry.get(key), str):
                raise UserFacingError(f"its {key} is not text")
        tags = entry.get("tags")
        if tags is not None and not isinstance(tags, str | list):
            raise UserFacingError("its tags are neither a list nor comma-separated text")
        return cls.build(
            title=entry["title"],
            url=entry["url"],
            category=entry["category"],
            description=entry.get("description") or "",
            tags=tags,
        )


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One saved resource."""

    id: int
    guild_id: int
    title: str
    url: str
    category: str
    description: str
    tags: tuple[str, ...]
    added_by: int
    created_at: str
    updated_at: str

    def as_export(self) -> dict[str, Any]:
        """The entry written by ``/resources export`` (and read back by import)."""
        return {
            "title": self.title,
            "url": self.url,
            "category": self.category,
            "description": self.description,
            "tags": list(self.tags),
        }


def _resource(row: aiosqlite.Row) -> Resource:
    return Resource(
        id=row["id"],
        guild_id=row["guild_id"],
        title=row["title"],
        url=row["url"],
        category=row["category"],
        description=row["description"],
        tags=tuple(tag for tag in row["tags"].split(",") if tag),
        added_by=row["added_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, when ``written`` is False, would have done)."""

    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (title, why)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (entry label, why)
    written: bool = False


_COLUMNS = "id, guild_id, title, url, category, description, tags, added_by, created_at, updated_at"
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


class ResourceStore:
    """One method per query over ``resources``; write methods commit their unit of work."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    # --- reads ---------------------------------------------------------------------------

    async def find(self, guild_id: int, category: str | None = None) -> list[Resource]:
        """The server's resources (one category, or all), by category order then title."""
        query = f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ?"
        args: list[Any] = [guild_id]
        if category is not None:
            query += " AND category = ?"
            args.append(category)
        async with self.db.execute(query + " ORDER BY title COLLATE NOCASE", args) as cursor:
            rows = [_resource(row) for row in await cursor.fetchall()]
        order = {name: index for index, name in enumerate(CATEGORIES)}
        return sorted(rows, key=lambda item: order.get(item.category, len(order)))

    async def get(self, guild_id: int, resource_id: int) -> Resource | None:
        """One resource by id, if it belongs to this server."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ? AND id = ?", (guild_id, resource_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _resource(row) if row else None

    async def by_title(self, guild_id: int, title: str) -> Resource | None:
        """One resource by its title (case-insensitive)."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ? AND title = ? COLLATE NOCASE",
            (guild_id, title.strip()),
        ) as cursor:
            row = await cursor.fetchone()
        return _resource(row) if row else None

    async def by_url(self, guild_id: int, url: str) -> Resource | None:
        """The resource with the same (normalised) URL, if any."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ? AND url_key = ?", (guild_id, url_key(url))
        ) as cursor:
            row = await cursor.fetchone()
        return _resource(row) if row else None

    async def count(self, guild_id: int) -> int:
        """How many resources the server has."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM resources WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # --- writes --------------------------------------------------------------------------

    async def _refuse_duplicates(self, guild_id: int, title: str, url: str, *, except_id: int = 0) -> None:
        same_url = await self.by_url(guild_id, url)
        if same_url is not None and same_url.id != except_id:
            raise UserFacingError(
                f"That link is already saved as **{same_url.title}** (in {same_url.category})."
            )
        same_title = await self.by_title(guild_id, title)
        if same_title is not None and same_title.id != except_id:
            raise UserFacingError(
                f"There is already a resource called **{same_title.title}**; choose another title."
            )

    async def _insert(self, guild_id: int, draft: ResourceDraft, user_id: int) -> int:
        cursor = await self.db.execute(
            "INSERT INTO resources (guild_id, title, url, url_key, category, description, tags, added_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                draft.title,
                draft.url,
                url_key(draft.url),
                draft.category,
                draft.description,
                ",".join(draft.tags),
                user_id,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def add(self, guild_id: int, draft: ResourceDraft, *, user_id: int) -> Resource:
        """Save a new resource (refused if its URL or title is taken in this server)."""
        async with transaction(self.db):
            await self._refuse_duplicates(guild_id, draft.title, draft.url)
            new_id = await self._insert(guild_id, draft, user_id)
            await audit.record(
                self.db, guild_id, user_id, "resources.add", f"#{new_id} {draft.title} <{draft.url}>"
            )
        log.info("Resource %d added in guild %d by %d", new_id, guild_id, user_id)
        resource = await self.get(guild_id, new_id)
        assert resource is not None
        return resource

    async def update(
        self,
        guild_id: int,
        resource_id: int,
        *,
        user_id: int,
        title: str | None = None,
        url: str | None = None,
        description: str | None = None,
        tags: tuple[str, ...] | None = None,
    ) -> Resource:
        """Change some fields of a resource (validated values); returns it as saved."""
        async with transaction(self.db):
            current = await self.get(guild_id, resource_id)
            if current is None:
                raise UserFacingError("That resource no longer exists.")
            new_title = title if title is not None else current.title
            new_url = url if url is not None else current.url
            await self._refuse_duplicates(guild_id, new_title, new_url, except_id=resource_id)
            await self.db.execute(
                f"UPDATE resources SET title = ?, url = ?, url_key = ?, description = ?, tags = ?, "
                f"updated_at = {_NOW} WHERE guild_id = ? AND id = ?",
                (
                    new_title,
                    new_url,
                    url_key(new_url),
                    description if description is not None else current.description,
                    ",".join(tags if tags is not None else current.tags),
                    guild_id,
                    resource_id,
                ),
            )
            changed = [
                name
                for name, value in (
                    ("title", title),
                    ("url", url),
                    ("description", description),
                    ("tags", tags),
                )
                if value is not None
            ]
            await audit.record(
                self.db,
                guild_id,
                user_id,
                "resources.edit",
                f"#{resource_id} {new_title}: {', '.join(changed)}",
            )
        updated = await self.get(guild_id, resource_id)
        assert updated is not None
        return updated

    async def move(self, guild_id: int, resource_id: int, category: str, *, user_id: int) -> Resource:
        """File a resource under another (validated) category."""
        async with transaction(self.db):
            current = await self.get(guild_id, resource_id)
            if current is None:
                raise UserFacingError("That resource no longer exists.")
            await self.db.execute(
                f"UPDATE resources SET category = ?, updated_at = {_NOW} WHERE guild_id = ? AND id = ?",
                (category, guild_id, resource_id),
            )
            await audit.record(
                self.db,
                guild_id,
                user_id,
                "resources.move",
                f"#{resource_id} {current.title}: {current.category} -> {category}",
            )
        moved = await self.get(guild_id, resource_id)
        assert moved is not None
        return moved

    async def remove(self, guild_id: int, resource_id: int, *, user_id: int) -> Resource | None:
        """Delete a resource of this server; returns what was deleted (None if it was not there)."""
        async with transaction(self.db):
            current = await self.get(guild_id, resource_id)
            if current is None:
                return None
            await self.db.execute(
                "DELETE FROM resources WHERE guild_id = ? AND id = ?", (guild_id, resource_id)
            )
            await audit.record(
                self.db,
                guild_id,
                user_id,
                "resources.remove",
                f"#{resource_id} {current.title} <{current.url}>",
            )
        log.info("Resource %d removed in guild %d by %d", resource_id, guild_id, user_id)
        return current

    async def import_entries(
        self,
        guild_id: int,
        entries: list[Any],
        *,
        user_id: int,
        source: str,
        skip_invalid: bool = False,
        action: str = "resources.import",
    ) -> ImportReport:
        """Add many entries in one transaction: all land, or none do.

        Entries whose URL or title is already saved (or repeated in the file) are skipped as
        duplicates. An invalid entry is rejected with its reason; unless ``skip_invalid``, one
        rejected entry means nothing is written (the report then says what would have happened).
        """
        if len(entries) > IMPORT_MAX:
            raise UserFacingError(
                f"That file has {len(entries)} entries; import at most {IMPORT_MAX} at once."
            )
        async with transaction(self.db):
            existing = await self.find(guild_id)
            by_key = {url_key(item.url): item.title for item in existing}
            by_title = {item.title.lower(): item.title for item in existing}
            added: list[ResourceDraft] = []
            skipped: list[tuple[str, str]] = []
            rejected: list[tuple[str, str]] = []
            for number, entry in enumerate(entries, start=1):
                label = _entry_label(number, entry)
                try:
                    draft = ResourceDraft.from_mapping(entry)
                except UserFacingError as error:
                    rejected.append((label, error.message))
                    continue
                key = url_key(draft.url)
                if key in by_key:
                    skipped.append((draft.title, f"same link as **{by_key[key]}**"))
                elif draft.title.lower() in by_title:
                    skipped.append(
                        (draft.title, f"a resource called **{by_title[draft.title.lower()]}** exists")
                    )
                else:
                    added.append(draft)
                    by_key[key] = draft.title
                    by_title[draft.title.lower()] = draft.title
            write = bool(added) and (skip_invalid or not rejected)
            if write:
                for draft in added:
                    await self._insert(guild_id, draft, user_id)
                await audit.record(
                    self.db,
                    guild_id,
                    user_id,
                    action,
                    f"{source}: {len(added)} added, {len(skipped)} skipped, {len(rejected)} rejected",
                )
        log.info(
            "Import %s in guild %d: %d added, %d skipped, %d rejected, written=%s",
            source,
            guild_id,
            len(added),
            len(skipped),
            len(rejected),
            write,
        )
        return ImportReport([d.title for d in added], skipped, rejected, write)


def _entry_label(number: int, entry: Any) -> str:
    title = entry.get("title") if isinstance(entry, Mapping) else None
    return f"entry {number} ({str(title)[:60]!r})" if title else f"entry {number}"


__all__ = [
    "CATEGORIES",
    "ImportReport",
    "Resource",
    "ResourceDraft",
    "ResourceStore",
    "check_category",
    "check_description",
    "check_title",
    "check_url",
    "parse_tags",
    "url_key",
]
