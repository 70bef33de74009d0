"""/resources through the real bot and the Discord double: members browse, moderators curate."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from bot.db import audit
from bot.db.resources import ResourceStore
from bot.local.session import LocalSession
from bot.local.store import StoredMessage

HUB = "https://huggingface.co/models"


async def _store(session: LocalSession) -> ResourceStore:
    assert session.bot is not None
    return ResourceStore(session.bot.db)


async def _titles(session: LocalSession) -> list[str]:
    return sorted(r.title for r in await (await _store(session)).find(session.double.world.guild_id))


async def _actions(session: LocalSession) -> list[str]:
    assert session.bot is not None
    return [entry.action for entry in await audit.recent(session.bot.db, session.double.world.guild_id)]


async def _add(
    session: LocalSession, title: str, url: str, category: str = "course", extra: str = ""
) -> None:
    done = await session.run(
        f"/resources add title:{title} url:{url} category:{category} {extra}", moderator=True
    )
    assert done.reply.ephemeral and "Saved" in done.reply.content, done.reply.content


def _upload(session: LocalSession, message: StoredMessage) -> bytes:
    (attachment,) = message.attachments
    return session.double.uploads[int(attachment["id"])].data


# --- moderators: add, edit, move, remove -------------------------------------------------------------


async def test_a_moderator_adds_a_resource_with_options(session: LocalSession) -> None:
    done = await session.run(
        f"/resources add title:Model hub url:{HUB} category:Libraries description:Every checkpoint "
        "tags:hub, Models",
        moderator=True,
    )
    assert done.reply.ephemeral
    assert done.reply.content == "Saved **Model hub** in libraries."
    (embed,) = done.reply.embeds
    assert embed["title"] == "Model hub" and embed["url"] == HUB
    (saved,) = await (await _store(session)).find(session.double.world.guild_id)
    assert saved.tags == ("hub", "models") and saved.description == "Every checkpoint"
    assert await _actions(session) == ["resources.add"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ("title:Hub url:ftp://huggingface.co category:tools", "must start with http:// or https://"),
        ("title:Hub url:not a link category:tools", "spaces"),
        ("title:Hub url:https://example.com category:cours", r"Did you mean \*\*course\*\*"),
        ("title:Hub url:https://example.com category:tools tags:" + ",".join("abcdefghijk"), "at most 10"),
        ("title:Hub url:https://example.com", "Give title, url and category"),
        ("description:only this", "Give title, url and category"),
    ],
)
async def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    session: LocalSession, options: str, reason: str
) -> None:
    refused = await session.run(f"/resources add {options}", moderator=True)
    assert refused.reply.ephemeral
    assert re.search(reason, refused.reply.content), refused.reply.content
    assert await _titles(session) == []
    assert await _actions(session) == []


async def test_a_duplicate_link_is_refused_naming_the_existing_entry(session: LocalSession) -> None:
    await _add(session, "Model hub", HUB, "libraries")
    refused = await session.run(
        "/resources add title:The hub url:http://www.huggingface.co/models/ category:tools", moderator=True
    )
    assert refused.reply.ephemeral
    assert "already saved as **Model hub** (in libraries)" in refused.reply.content
    refused = await session.run(
        "/resources add title:model HUB url:https://example.com/x category:tools", moderator=True
    )
    assert "already a resource called **Model hub**" in refused.reply.content
    assert await _titles(session) == ["Model hub"]


async def test_add_without_options_opens_a_form(session: LocalSession) -> None:
    opened = await session.run("/resources add", moderator=True)
    assert opened.modal is not None and opened.modal["title"] == "Add a resource"
    bad = await session.submit(
        opened, {"Title": "Hub", "Link": "hub dot co", "Category": "tools"}, moderator=True
    )
    assert bad.reply.ephemeral and "spaces" in bad.reply.content
    assert await _titles(session) == []
    saved = await session.submit(
        opened,
        {"Title": "Hub", "Link": HUB, "Category": "Tools", "Tags, comma-separated (optional)": "a, b"},
        moderator=True,
    )
    assert saved.reply.content == "Saved **Hub** in tools."
    assert await _titles(session) == ["Hub"]


async def test_a_member_cannot_submit_the_moderator_form(session: LocalSession) -> None:
    opened = await session.run("/resources add", moderator=True)
    refused = await session.submit(opened, {"Title": "Hub", "Link": HUB, "Category": "tools"}, user="Grace")
    assert refused.reply.ephemeral and "moderators" in refused.reply.content
    assert await _titles(session) == []


@pytest.mark.parametrize(
    "line",
    [
        f"/resources add title:Hub url:{HUB} category:tools",
        "/resources add",
        "/resources edit name:Model hub title:Mine",
        "/resources remove name:Model hub",
        "/resources move name:Model hub category:tools",
        "/resources export",
        "/resources starter-pack",
    ],
)
async def test_moderator_commands_are_refused_for_members_and_logged(
    session: LocalSession, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    await _add(session, "Model hub", HUB, "libraries")
    caplog.set_level(logging.INFO, logger="bot.errors")
    refused = await session.run(line, user="Grace")
    assert refused.reply.ephemeral and "This is for moderators" in refused.reply.content
    assert refused.modal is None
    assert any("Refused /resources" in record.getMessage() for record in caplog.records)
    assert await _titles(session) == ["Model hub"]
    assert await _actions(session) == ["resources.add"]


async def test_import_is_refused_for_members(session: LocalSession, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"title": "A", "url": "https://a.example.com", "category": "tools"}]))
    refused = await session.run(f"/resources import file:{path}", user="Grace")
    assert refused.reply.ephemeral and "moderators" in refused.reply.content
    assert await _titles(session) == []


async def test_edit_changes_fields_and_clears_with_a_dash(session: LocalSession) -> None:
    await _add(session, "Model hub", HUB, "libraries", "description:Old words tags:a, b")
    done = await session.run(
        "/resources edit name:model hub title:The Hub description:- tags:hub", moderator=True
    )
    assert done.reply.content == "Updated **The Hub**."
    (saved,) = await (await _store(session)).find(session.double.world.guild_id)
    assert (saved.title, saved.description, saved.tags, saved.url) == ("The Hub", "", ("hub",), HUB)
    nothing = await session.run("/resources edit name:The Hub", moderator=True)
    assert "Give at least one" in nothing.reply.content
    missing = await session.run("/resources edit name:The Hubb title:x", moderator=True)
    assert "no resource called 'The Hubb'" in missing.reply.content and "**The Hub**" in missing.reply.content
    bad = await session.run("/resources edit name:The Hub url:mailto:someone@example.com", moderator=True)
    assert "http:// or https://" in bad.reply.content
    assert await _actions(session) == ["resources.edit", "resources.add"]


async def test_move_files_a_resource_under_another_category(session: LocalSession) -> None:
    await _add(session, "Model hub", HUB, "libraries")
    done = await session.run("/resources move name:Model hub category:tools", moderator=True)
    assert done.reply.content == "Moved **Model hub** from libraries to tools."
    same = await session.run("/resources move name:Model hub category:tools", moderator=True)
    assert "already in tools" in same.reply.content
    unknown = await session.run("/resources move name:Model hub category:toolz", moderator=True)
    assert "Did you mean **tools**" in unknown.reply.content
    (saved,) = await (await _store(session)).find(session.double.world.guild_id)
    assert saved.category == "tools"


async def test_remove_asks_first_and_the_buttons_survive_a_restart(session: LocalSession) -> None:
    await _add(session, "Model hub", HUB, "libraries")
    await _add(session, "Blurr", "https://github.com/ohmeow/blurr", "libraries")
    asked = await session.run("/resources remove name:Model hub", moderator=True)
    assert asked.reply.ephemeral and "Remove **Model hub**" in asked.reply.content
    kept = await session.click(asked.reply, "Keep it", moderator=True)
    assert kept.reply.content == "Kept: nothing was removed."
    assert await _titles(session) == ["Blurr", "Model hub"]

    asked = await session.run("/resources remove name:Model hub", moderator=True)
    refused = await session.click(asked.reply, "Remove", user="Grace")  # a member can't press it
    assert refused.reply.ephemeral and "moderators" in refused.reply.content
    stale = await session.run("/resources remove name:Model hub", moderator=True)  # a second prompt
    await session.restart()
    removed = await session.click(asked.reply, "Remove", moderator=True)
    assert removed.reply.content == "Removed **Model hub**."
    assert removed.reply.components == []
    assert await _titles(session) == ["Blurr"]
    again = await session.click(stale.reply, "Remove", moderator=True)
    assert "already removed" in again.reply.content
    assert (await _actions(session)).count("resources.remove") == 1
    # The autocomplete cache forgot it too.
    choices = await session.autocomplete("/resources show name:hub", "name")
    assert [c["value"] for c in choices] == []


# --- members: list, search, show, share ----------------------------------------------------------------


async def test_list_pages_turn_for_the_asker_only_and_after_a_restart(session: LocalSession) -> None:
    await session.run("/resources starter-pack", moderator=True)
    listed = await session.run("/resources list", user="Grace")
    assert listed.reply.ephemeral
    (embed,) = listed.reply.embeds
    assert len(embed["fields"]) == 6 and embed["footer"]["text"].startswith("Page 1 of 4 · 21 resources")
    first_titles = [f["name"] for f in embed["fields"]]

    turned = await session.click(listed.reply, "Next ▶", user="Grace")
    page2 = turned.reply.embeds[0]
    assert page2["footer"]["text"].startswith("Page 2 of 4")
    assert not set(first_titles) & {f["name"] for f in page2["fields"]}

    other = await session.click(listed.reply, "Next ▶", user="Linus")
    assert other.reply.ephemeral and "whoever ran the list" in other.reply.content
    assert listed.reply.embeds[0]["footer"]["text"].startswith("Page 2 of 4")  # unchanged by Linus

    await session.restart()
    back = await session.click(listed.reply, "◀ Previous", user="Grace")
    assert back.reply.embeds[0]["footer"]["text"].startswith("Page 1 of 4")
    assert [f["name"] for f in back.reply.embeds[0]["fields"]] == first_titles
    previous = next(
        item for row in back.reply.components for item in row["components"] if item["label"] == "◀ Previous"
    )
    assert previous.get("disabled") is True


async def test_list_by_category_and_its_mistakes(session: LocalSession) -> None:
    empty = await session.run("/resources list")
    assert empty.reply.ephemeral and "no resources yet" in empty.reply.content
    await session.run("/resources starter-pack", moderator=True)
    setup = await session.run("/resources list category:setup")
    (embed,) = setup.reply.embeds
    assert embed["title"].endswith("setup") and embed["footer"]["text"].startswith(
        "Page 1 of 1 · 4 resources"
    )
    assert setup.reply.components == []  # one page: no buttons
    unknown = await session.run("/resources list category:podcast")
    assert "Did you mean **podcasts**" in unknown.reply.content
    none = await session.run("/resources list category:papers")
    assert "no resources in **papers**" in none.reply.content


async def test_search_is_fuzzy_ranked_and_case_insensitive(session: LocalSession) -> None:
    await session.run("/resources starter-pack", moderator=True)
    found = await session.run("/resources search query:TOKENIZERS summary")
    assert found.reply.ephemeral
    assert found.reply.embeds[0]["fields"][0]["name"] == "1. Summary of the tokenizers"
    typo = await session.run("/resources search query:fasthugz")
    assert typo.reply.embeds[0]["fields"][0]["name"] == "1. FastHugs"
    tag = await session.run("/resources search query:wandb")
    assert tag.reply.embeds[0]["fields"][0]["name"] == "1. Weights & Biases"
    nothing = await session.run("/resources search query:quantum chromodynamics")
    assert nothing.reply.ephemeral and "Nothing matches" in nothing.reply.content
    install = await session.run("/resources search query:how to install transformers")
    first = install.reply.embeds[0]["fields"][0]["name"]
    assert first == "1. Setup: install the course libraries (Colab)"
    names = [field["name"] for field in install.reply.embeds[0]["fields"]]
    assert not any("How to generate text" in name for name in names[:3])
    small = await session.run("/resources search query:and")
    assert small.reply.ephemeral and "only small words" in small.reply.content
    assert not small.reply.embeds


async def test_autocomplete_is_bounded_ranked_and_served_from_the_cache(session: LocalSession) -> None:
    assert session.bot is not None
    for n in range(30):
        await _add(session, f"Notebook {n:02d}", f"https://example.com/nb/{n}", "tools")
    choices = await session.autocomplete("/resources show name:", "name")
    assert len(choices) == 25
    choices = await session.autocomplete("/resources show name:notebook 07", "name")
    assert choices[0]["value"] == "Notebook 07" and len(choices) <= 25
    assert all(len(c["name"]) <= 100 for c in choices)
    query = await session.autocomplete("/resources search query:NOTEBOOK", "query")
    assert len(query) == 25
    categories = await session.autocomplete("/resources list category:co", "category")
    assert [c["value"] for c in categories] == ["course", "community"]

    # Autocomplete reads memory, not the database: with the table emptied behind the cog's back,
    # the suggestions still come (and a write through the cog refreshes them).
    await session.bot.db.execute("DELETE FROM resources")
    await session.bot.db.commit()
    assert len(await session.autocomplete("/resources show name:notebook", "name")) == 25
    await _add(session, "Fresh", "https://example.com/fresh", "tools")
    assert [c["value"] for c in await session.autocomplete("/resources show name:", "name")] == ["Fresh"]


async def test_show_is_private_unless_public(session: LocalSession) -> None:
    await _add(session, "Model hub", HUB, "libraries")
    private = await session.run("/resources show name:model hub")
    assert private.reply.ephemeral and private.reply.embeds[0]["url"] == HUB
    public = await session.run("/resources show name:Model hub public:true")
    assert not public.reply.ephemeral and public.reply.embeds[0]["title"] == "Model hub"
    unknown = await session.run("/resources show name:Modl hub")
    assert unknown.reply.ephemeral and "Did you mean **Model hub**" in unknown.reply.content


async def test_share_mentions_only_the_chosen_member(session: LocalSession) -> None:
    await _add(session, "@everyone read this", HUB, "libraries")
    grace = session.member("Grace")
    shared = await session.run("/resources share name:@everyone read this to:Grace", user="Linus")
    message = shared.reply
    assert not message.ephemeral
    assert message.content.startswith(f"<@{grace.id}>")
    assert message.pings() == [f"user:{grace.id}"]  # not @everyone, not the sharer
    assert message.allowed_mentions == {"parse": [], "users": [grace.id]}
    assert message.embeds[0]["title"] == "@everyone read this"
    assert "Shared by Linus" in message.embeds[0]["footer"]["text"]

    plain = await session.run("/resources share name:@everyone read this")
    assert plain.reply.content == "" and plain.reply.pings() == []
    assert plain.reply.allowed_mentions is not None and plain.reply.allowed_mentions.get("parse") == []
    bot_target = await session.run("/resources share name:@everyone read this to:studybot")
    assert bot_target.reply.ephemeral and "Bots don't read links" in bot_target.reply.content


# --- import, export, starter pack ------------------------------------------------------------------------


async def test_starter_pack_is_idempotent(session: LocalSession) -> None:
    first = await session.run("/resources starter-pack", moderator=True)
    assert first.reply.embeds[0]["title"] == "Starter pack: 21 added"
    second = await session.run("/resources starter-pack", moderator=True)
    (embed,) = second.reply.embeds
    assert embed["title"] == "Starter pack: nothing new to add"
    assert "nothing was added" in embed["description"]
    assert len(await _titles(session)) == 21
    assert (await _actions(session)).count("resources.starter_pack") == 1


async def test_import_reports_and_is_all_or_nothing(session: LocalSession, tmp_path: Path) -> None:
    await _add(session, "Model hub", HUB, "libraries")
    entries = [
        {
            "title": "Blurr",
            "url": "https://github.com/ohmeow/blurr",
            "category": "libraries",
            "tags": ["fastai"],
        },
        {"title": "Hub again", "url": HUB + "/", "category": "tools"},
        {"title": "Broken", "url": "file:///etc/passwd", "category": "tools"},
        {"title": "No category", "url": "https://example.com/x"},
    ]
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"resources": entries}))
    strict = await session.run(f"/resources import file:{path}", moderator=True)
    (embed,) = strict.reply.embeds
    assert embed["title"] == "Import of list.json: nothing imported"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "Blurr" in fields["Would add (1)"]
    assert "same link as **Model hub**" in fields["Skipped as duplicates (1)"]
    assert "entry 3 ('Broken')" in fields["Rejected (2)"] and "has no category" in fields["Rejected (2)"]
    assert await _titles(session) == ["Model hub"]

    lenient = await session.run(f"/resources import file:{path} skip_invalid:true", moderator=True)
    assert lenient.reply.embeds[0]["title"] == "Import of list.json: 1 added"
    assert await _titles(session) == ["Blurr", "Model hub"]
    assert await _actions(session) == ["resources.import", "resources.add"]


async def test_yaml_import_and_bad_files(session: LocalSession, tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(
        "- title: Blurr\n  url: https://github.com/ohmeow/blurr\n  category: libraries\n  tags: a, b\n"
    )
    done = await session.run(f"/resources import file:{path}", moderator=True)
    assert done.reply.embeds[0]["title"] == "Import of list.yaml: 1 added"
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "x",}]')
    refused = await session.run(f"/resources import file:{broken}", moderator=True)
    assert refused.reply.ephemeral and "not valid JSON (line 1" in refused.reply.content
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (1024 * 1024 + 10))
    too_big = await session.run(f"/resources import file:{big}", moderator=True)
    assert "the limit is 1024 KB" in too_big.reply.content
    assert await _titles(session) == ["Blurr"]


async def test_export_attaches_a_file_that_imports_elsewhere(session: LocalSession, tmp_path: Path) -> None:
    nothing = await session.run("/resources export", moderator=True)
    assert nothing.reply.ephemeral and "nothing to export" in nothing.reply.content
    await session.run("/resources starter-pack", moderator=True)
    exported = await session.run("/resources export", moderator=True)
    assert exported.reply.ephemeral and exported.reply.content.startswith("21 resources, as JSON")
    data = json.loads(_upload(session, exported.reply))
    assert data["format"] == "studybot-resources" and len(data["resources"]) == 21
    as_yaml = await session.run("/resources export format:yaml", moderator=True)
    assert as_yaml.reply.attachments[0]["filename"].endswith(".yaml")

    # Another server (a fresh database) imports the file and gets the same list.
    assert session.bot is not None
    await session.bot.db.execute("DELETE FROM resources")
    await session.bot.db.commit()
    path = tmp_path / "backup.yaml"
    path.write_bytes(_upload(session, as_yaml.reply))
    restored = await session.run(f"/resources import file:{path}", moderator=True)
    assert restored.reply.embeds[0]["title"] == "Import of backup.yaml: 21 added"


# --- durability ------------------------------------------------------------------------------------------


async def test_a_crash_between_commit_and_reply_loses_nothing(
    session: LocalSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cogs.resources._cog as cog_module

    async def lost_connection(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("the gateway went away before the reply")

    monkeypatch.setattr(cog_module, "reply", lost_connection)
    with session.allowing_errors():
        await session.run(f"/resources add title:Model hub url:{HUB} category:libraries", moderator=True)
    monkeypatch.undo()
    await session.restart()
    assert await _titles(session) == ["Model hub"]
    shown = await session.run("/resources show name:Model hub")
    assert shown.reply.embeds[0]["url"] == HUB


async def test_resource_commands_only_work_in_a_server(session: LocalSession) -> None:
    schema = next(s for s in session.schemas() if s["name"] == "resources")
    assert schema.get("contexts") == [0]  # Discord offers them in servers only …
    refused = await session.run("/resources list", dm=True)  # … and the bot checks it too
    assert refused.reply.ephemeral and "only works in a server" in refused.reply.content
