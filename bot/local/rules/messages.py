"""Messages: content, embeds, allowed mentions, flags and attachments, per endpoint.

Rules from Discord's message and channel references (docs/resources/message):

- ``content`` is at most 2000 characters.
- A new message is not empty: it has non-blank ``content``, an embed, a component, a file, a
  sticker or a poll (else Discord answers 50006 "Cannot send an empty message"); an edit may not
  leave a message empty either.
- At most 10 embeds. Per embed: title ≤ 256, description ≤ 4096, at most 25 fields, field name ≤ 256
  and value ≤ 1024 (both required and not blank), footer.text ≤ 2048, author.name ≤ 256.
- Embed totals: the combined sum of characters in all title, description, field.name, field.value,
  footer.text and author.name fields across all embeds attached to a message must not exceed 6000.
- An embed's ``url`` and ``author.url`` are http(s) URLs; its ``image``, ``thumbnail``,
  ``author.icon_url`` and ``footer.icon_url`` are http(s) or ``attachment://`` URLs.
- An embed's ``color`` is an integer from 0 to 0xFFFFFF; its ``timestamp`` is an ISO8601 timestamp.
- ``allowed_mentions.parse`` holds only "users", "roles" and "everyone"; ``parse`` containing
  "users" together with a ``users`` list (or "roles" with ``roles``) is refused as mutually
  exclusive; ``users`` and ``roles`` hold at most 100 ids each.
- Flags a bot may set: SUPPRESS_EMBEDS (1 << 2), SUPPRESS_NOTIFICATIONS (1 << 12),
  IS_COMPONENTS_V2 (1 << 15) on new messages; EPHEMERAL (1 << 6) only on interaction responses and
  followups, never on a channel message; edits change only SUPPRESS_EMBEDS.
- ``attachments[].id`` names a file uploaded with the same request (``files[n]`` → id ``n``) or,
  on an edit, an attachment the message already has; at most 10 attachments; a description is at
  most 1024 characters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from bot.local.rules._problems import Path, Problem, is_int, not_allowed, too_long
from bot.local.rules.components import check_components
from bot.local.rules.urls import IMAGE, WEB, url_problems

RULE = "message limits"
MENTIONS_RULE = "allowed mentions"
FLAGS_RULE = "message flags"
ATTACHMENTS_RULE = "attachments"

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
EMBED_FIELD_LIMIT = 25
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
COLOR_MAX = 0xFFFFFF
ATTACHMENTS_PER_MESSAGE = 10
ATTACHMENT_DESCRIPTION_LIMIT = 1024
MENTION_IDS_LIMIT = 100

SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2 = 1 << 2, 1 << 6, 1 << 12, 1 << 15
#: The flags a bot may set, by what it is sending.
Context = Literal["create", "response", "deferred", "followup", "edit", "update"]
ALLOWED_FLAGS: dict[str, int] = {
    "create": SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2,
    "response": SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2 | EPHEMERAL,
    "deferred": EPHEMERAL,
    "followup": SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2 | EPHEMERAL,
    "edit": SUPPRESS_EMBEDS | IS_COMPONENTS_V2,
    "update": SUPPRESS_EMBEDS | IS_COMPONENTS_V2,
}
FLAG_NAMES = {
    SUPPRESS_EMBEDS: "SUPPRESS_EMBEDS",
    EPHEMERAL: "EPHEMERAL",
    SUPPRESS_NOTIFICATIONS: "SUPPRESS_NOTIFICATIONS",
}


def embed_chars(embed: dict[str, Any]) -> int:
    """The characters an embed counts towards the 6000 total."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def check_embed(embed: dict[str, Any], index: int) -> list[Problem]:
    """Breaches of one embed's own limits (not the total over a message's embeds)."""
    return list(_embed_problems(embed, index))


def _embed_problems(embed: dict[str, Any], index: int) -> Iterator[Problem]:
    at: Path = ("embeds", index)
    for key, limit in EMBED_LIMITS.items():
        length = len(embed.get(key) or "")
        if length > limit:
            yield too_long(RULE, (*at, key), f"embed {index} {key}", length, limit)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELD_LIMIT:
        yield Problem(
            RULE,
            f"embed {index} has {len(fields)} fields (limit {EMBED_FIELD_LIMIT})",
            (*at, "fields"),
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {EMBED_FIELD_LIMIT} or fewer in length.",
        )
    for number, item in enumerate(fields):
        name, value = item.get("name") or "", item.get("value") or ""
        where = (*at, "fields", number)
        if not name.strip() or not value.strip():
            yield Problem(
                RULE,
                f"embed {index} field {number} has an empty name or value",
                (*where, "name" if not name.strip() else "value"),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            )
        if len(name) > FIELD_NAME_LIMIT:
            yield too_long(RULE, (*where, "name"), f"embed {index} field {number} name", len(name), 256)
        if len(value) > FIELD_VALUE_LIMIT:
            yield too_long(RULE, (*where, "value"), f"embed {index} field {number} value", len(value), 1024)
    footer = embed.get("footer") or {}
    if len(footer.get("text") or "") > FOOTER_LIMIT:
        yield too_long(
            RULE, (*at, "footer", "text"), f"embed {index} footer", len(footer["text"]), FOOTER_LIMIT
        )
    author = embed.get("author") or {}
    if len(author.get("name") or "") > AUTHOR_LIMIT:
        yield too_long(
            RULE, (*at, "author", "name"), f"embed {index} author name", len(author["name"]), AUTHOR_LIMIT
        )
    yield from _embed_values(embed, index, at)


def _embed_values(embed: dict[str, Any], index: int, at: Path) -> Iterator[Problem]:
    """URLs, colour and timestamp of one embed."""
    links: list[tuple[Path, Any, tuple[str, ...]]] = [
        (("url",), embed.get("url"), WEB),
        (("author", "url"), (embed.get("author") or {}).get("url"), WEB),
        (("author", "icon_url"), (embed.get("author") or {}).get("icon_url"), IMAGE),
        (("footer", "icon_url"), (embed.get("footer") or {}).get("icon_url"), IMAGE),
        (("image", "url"), (embed.get("image") or {}).get("url"), IMAGE),
        (("thumbnail", "url"), (embed.get("thumbnail") or {}).get("url"), IMAGE),
    ]
    for where, value, schemes in links:
        if value is not None:
            yield from url_problems(
                RULE, (*at, *where), f"embed {index} {'.'.join(map(str, where))}", value, schemes=schemes
            )
    color = embed.get("color")
    if color is not None and (not is_int(color) or not 0 <= color <= COLOR_MAX):
        yield Problem(
            RULE,
            f"embed {index} color {color!r} is not an integer from 0 to {COLOR_MAX}",
            (*at, "color"),
            "NUMBER_TYPE_MAX" if is_int(color) and color > COLOR_MAX else "NUMBER_TYPE_COERCE",
            f"int value should be less than or equal to {COLOR_MAX}.",
        )
    timestamp = embed.get("timestamp")
    if timestamp is not None and not _is_iso8601(timestamp):
        yield Problem(
            RULE,
            f"embed {index} timestamp {str(timestamp)[:40]!r} is not ISO8601",
            (*at, "timestamp"),
            "DATE_TYPE_PARSE",
            f"Could not parse {timestamp}. Should be ISO8601.",
        )


def _is_iso8601(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_embeds(embeds: list[dict[str, Any]]) -> Iterator[Problem]:
    if len(embeds) > EMBEDS_PER_MESSAGE:
        yield Problem(
            RULE,
            f"{len(embeds)} embeds in one message (limit {EMBEDS_PER_MESSAGE})",
            ("embeds",),
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {EMBEDS_PER_MESSAGE} or fewer in length.",
        )
    for index, embed in enumerate(embeds):
        yield from _embed_problems(embed, index)
    total = sum(embed_chars(embed) for embed in embeds)
    if total > EMBED_TOTAL:
        yield Problem(
            RULE,
            f"embeds total {total} characters (limit {EMBED_TOTAL})",
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL}",
        )


def check_allowed_mentions(allowed: Any) -> list[Problem]:
    """Breaches of the allowed-mentions object's consistency rules."""
    if allowed is None:
        return []
    problems: list[Problem] = []
    parse = allowed.get("parse") or []
    for index, value in enumerate(parse):
        if value not in ("users", "roles", "everyone"):
            problems.append(
                not_allowed(
                    MENTIONS_RULE,
                    ("allowed_mentions", "parse", index),
                    f"allowed_mentions.parse value {value!r} is not users, roles or everyone",
                    "ENUM_TYPE_COERCE",
                )
            )
    for kind in ("users", "roles"):
        ids = allowed.get(kind) or []
        if kind in parse and ids:
            problems.append(
                Problem(
                    MENTIONS_RULE,
                    f'allowed_mentions has parse ["{kind}"] and a {kind} list',
                    ("allowed_mentions",),
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
                )
            )
        if len(ids) > MENTION_IDS_LIMIT:
            problems.append(
                too_long(MENTIONS_RULE, ("allowed_mentions", kind), f"allowed_mentions.{kind}", len(ids), 100)
            )
    return problems


def check_flags(flags: Any, context: str, current: int = 0) -> list[Problem]:
    """Flags outside what ``context`` lets a bot set (``current``: flags the message already has)."""
    if flags is None:
        return []
    if not is_int(flags):
        return [not_allowed(FLAGS_RULE, ("flags",), f"flags {flags!r} is not an integer")]
    extra = flags & ~(ALLOWED_FLAGS[context] | current)
    if not extra:
        return []
    names = ", ".join(FLAG_NAMES.get(1 << bit, str(1 << bit)) for bit in range(32) if extra & (1 << bit))
    where = {"create": "a channel message", "edit": "a message edit", "update": "a message update"}
    return [
        Problem(
            FLAGS_RULE,
            f"flags {names} not allowed on {where.get(context, 'this ' + context)}",
            ("flags",),
            "MESSAGE_FLAGS_INVALID",
            "Invalid flags.",
        )
    ]


def check_attachments(
    items: Any, uploaded: Sequence[int], kept_ids: Sequence[str] = (), *, count_files: int = 0
) -> list[Problem]:
    """``attachments[]`` against the files of the request (their ``files[n]`` indexes) and the
    attachments the message already has (``kept_ids``, for edits)."""
    problems: list[Problem] = []
    entries = items or []
    if max(len(entries), count_files) > ATTACHMENTS_PER_MESSAGE:
        problems.append(
            too_long(ATTACHMENTS_RULE, ("attachments",), "attachments", len(entries), ATTACHMENTS_PER_MESSAGE)
        )
    for index, item in enumerate(entries):
        key = str(item.get("id")) if isinstance(item, dict) and item.get("id") is not None else None
        if key is None:
            problems.append(
                Problem(
                    ATTACHMENTS_RULE,
                    f"attachments[{index}] has no id",
                    ("attachments", index, "id"),
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
            )
            continue
        known = (key.isdecimal() and int(key) in uploaded) or key in kept_ids
        if not known:
            problems.append(
                Problem(
                    ATTACHMENTS_RULE,
                    f"attachments[{index}].id {key} matches no uploaded file",
                    ("attachments", index, "id"),
                    "ATTACHMENT_NOT_FOUND",
                    f"Attachment {key} not found.",
                )
            )
        description = item.get("description")
        if description is not None and len(str(description)) > ATTACHMENT_DESCRIPTION_LIMIT:
            problems.append(
                too_long(
                    ATTACHMENTS_RULE,
                    ("attachments", index, "description"),
                    "attachment description",
                    len(str(description)),
                    ATTACHMENT_DESCRIPTION_LIMIT,
                )
            )
    return problems


def is_empty(payload: dict[str, Any], attachment_count: int) -> bool:
    """Whether a message with ``payload`` would show nothing at all."""
    content = payload.get("content") or ""
    return not (
        content.strip()
        or payload.get("embeds")
        or payload.get("components")
        or attachment_count
        or payload.get("sticker_ids")
        or payload.get("poll")
    )


EMPTY = Problem(
    RULE,
    "the message is empty (no content, embed, component, file, sticker or poll)",
    (),
    "",
    "Cannot send an empty message",
    50006,
)


def check_message(
    payload: dict[str, Any],
    *,
    context: Context = "create",
    uploaded: Sequence[int] | None = None,
    existing: dict[str, Any] | None = None,
) -> list[Problem]:
    """Breaches of a message payload sent in ``context``.

    ``uploaded``: the ``files[n]`` indexes sent with the request (None: not checked, as for a bare
    payload checked in a unit test). ``existing``: the message as it stands, for edits and updates
    (the limits and emptiness are checked on the result, flags and attachments on the request).
    """
    body = {**(existing or {}), **payload}
    problems: list[Problem] = []
    content = body.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        problems.append(
            Problem(
                RULE,
                f"message content is {len(content)} characters (limit {CONTENT_LIMIT})",
                ("content",),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {CONTENT_LIMIT} or fewer in length.",
            )
        )
    problems.extend(_check_embeds(body.get("embeds") or []))
    if not int(body.get("flags") or 0) & IS_COMPONENTS_V2:  # v2 layouts: the bot does not use them
        problems.extend(check_components(body.get("components") or []))
    problems.extend(check_allowed_mentions(payload.get("allowed_mentions")))
    current = int((existing or {}).get("flags") or 0)
    problems.extend(check_flags(payload.get("flags"), context, current))
    if uploaded is not None:
        kept = [str(item.get("id")) for item in (existing or {}).get("attachments") or []]
        problems.extend(
            check_attachments(payload.get("attachments"), uploaded, kept, count_files=len(uploaded))
        )
        if "attachments" in payload:
            count = len(payload.get("attachments") or [])
        else:
            count = len(uploaded) + len((existing or {}).get("attachments") or [])
        if context != "deferred" and is_empty(body, count):
            problems.append(EMPTY)
    return problems


__all__ = [
    "ALLOWED_FLAGS",
    "CONTENT_LIMIT",
    "EMBED_TOTAL",
    "EPHEMERAL",
    "SUPPRESS_EMBEDS",
    "check_allowed_mentions",
    "check_attachments",
    "check_embed",
    "check_flags",
    "check_message",
    "embed_chars",
    "is_empty",
]
