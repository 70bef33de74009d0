"""Presses and form submissions that nothing in the bot answers get a sentence, not silence.

discord.py drops a component interaction whose custom id no item matches, and a form submission
whose form it no longer waits for (the form waited past its timeout, or the bot restarted since
it was opened): the member sees "This interaction failed", and what they typed into the form is
gone. :func:`answer_unrouted` runs for every interaction, after discord.py has routed it, and
answers those two cases ephemerally:

- a button or select whose id no loaded feature knows (a message from an older version of the
  bot, or a forged id) says so, as the registry does for a known feature's unknown action;
- a form nobody waits for says that this submission changed nothing and gives the member back
  what they typed (as a file when it is longer than a message).

Every component the bot posts comes from the action registry (:mod:`bot.components`), so the
registry alone decides whether a press is answered. Forms are discord.py ``Modal`` objects that it
keeps while it waits for them; it has no public way to ask which, so :func:`waiting_forms` reads
its view store, and fails loudly (the tests with it) if discord.py ever keeps them elsewhere.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Container, Iterator
from typing import Any

import discord

from bot.components import OUTDATED, registry_of
from bot.replies import CONTENT_LIMIT, NO_MENTIONS

log = logging.getLogger(__name__)

FORM_CLOSED_EMPTY = (
    "This form is no longer open (it was sent already, waited too long, or the bot restarted), "
    "so this submission changed nothing."
)
FORM_CLOSED = f"{FORM_CLOSED_EMPTY} If it was not saved, open it again; here is what you typed, to paste in:"
TYPED_FILE = "what-you-typed.txt"


def waiting_forms(client: discord.Client) -> Container[str]:
    """The custom ids of the forms discord.py still waits for (it keeps them in its view store)."""
    store = getattr(getattr(client, "_connection", None), "_view_store", None)
    forms = getattr(store, "_modals", None)
    if not isinstance(forms, dict):
        raise RuntimeError("discord.py no longer keeps its open modals in ViewStore._modals")
    return forms


def typed_values(data: Any) -> Iterator[str]:
    """The values of a form submission's text inputs, in the form's order (empty ones left out)."""
    rows = data.get("components") if isinstance(data, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        inner = [row.get("component")] if row.get("type") == 18 else row.get("components")
        for item in inner if isinstance(inner, list) else []:
            value = item.get("value") if isinstance(item, dict) else None
            if isinstance(value, str) and value.strip():
                yield value


def closed_form_reply(values: list[str]) -> tuple[str, discord.File | None]:
    """The answer to a closed form: its values quoted, or attached when they do not fit."""
    if not values:
        return FORM_CLOSED_EMPTY, None
    quoted = "\n".join("```\n" + value.replace("```", "`\u200b``") + "\n```" for value in values)
    content = f"{FORM_CLOSED}\n{quoted}"
    if len(content) <= CONTENT_LIMIT:
        return content, None
    text = "\n\n".join(values).encode("utf-8")
    return f"{FORM_CLOSED} (attached: it is longer than a message)", discord.File(
        io.BytesIO(text), filename=TYPED_FILE
    )


async def answer_unrouted(client: discord.Client, interaction: discord.Interaction[Any]) -> None:
    """Answer ``interaction`` if it is a press or a form submission that nothing else will answer."""
    try:
        await _answer_unrouted(client, interaction)
    except discord.InteractionResponded:
        log.info("Interaction %d was answered meanwhile", interaction.id)
    except discord.HTTPException as error:
        log.warning("Could not answer interaction %d that nothing routes: %s", interaction.id, error)


async def _answer_unrouted(client: discord.Client, interaction: discord.Interaction[Any]) -> None:
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id") if isinstance(data, dict) else None
    if not isinstance(custom_id, str):
        return
    if interaction.type is discord.InteractionType.component:
        if registry_of(client).knows(custom_id):
            return
        log.info("No feature answers the custom id %r", custom_id[:120])
        await interaction.response.send_message(OUTDATED, ephemeral=True, allowed_mentions=NO_MENTIONS)
    elif interaction.type is discord.InteractionType.modal_submit:
        # A form that was open has answered (and closed) by now, or is still open and will.
        if custom_id in waiting_forms(client) or interaction.response.is_done():
            return
        log.info("A form that is no longer open was submitted (custom id %r)", custom_id[:120])
        content, file = closed_form_reply(list(typed_values(data)))
        files = [file] if file is not None else []
        await interaction.response.send_message(
            content, files=files, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


__all__ = [
    "FORM_CLOSED",
    "FORM_CLOSED_EMPTY",
    "answer_unrouted",
    "closed_form_reply",
    "typed_values",
    "waiting_forms",
]
