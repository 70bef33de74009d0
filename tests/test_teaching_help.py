"""/help: built from the live command tree, every top-level command in a section with an example."""

from __future__ import annotations

from bot.local.commandline import parse_command_line
from bot.local.session import LocalSession
from cogs.teaching._help import OTHER, CommandInfo, arrange, load_sections, overview_embeds

SECTIONS = ("Setup", "Pipelines", "Tokenizers", "Architecture", "Resources", "Homework", "Sessions")


async def test_every_top_level_command_has_a_section_and_a_working_example(session: LocalSession) -> None:
    sections = load_sections()
    assert tuple(section.name for section in sections) == SECTIONS
    schemas = session.schemas()
    names = {schema["name"] for schema in schemas}
    listed = [name for section in sections for name in section.examples]
    assert len(listed) == len(set(listed)), "a command is in two sections"
    missing = names - set(listed)
    assert not missing, f"add these commands to cogs/teaching/help.json: {sorted(missing)}"
    assert not set(listed) - names, f"help.json lists commands that do not exist: {set(listed) - names}"
    for section in sections:
        for name, example in section.examples.items():
            parsed = parse_command_line(example, schemas)  # valid names, options and values
            assert parsed.path[0] == name, example


async def test_help_lists_every_command_with_its_description_and_example(session: LocalSession) -> None:
    exchange = await session.run("/help", user="Linus")
    reply = exchange.reply
    assert reply.ephemeral
    text = "\n".join(
        f"{field['name']}\n{field['value']}" for embed in reply.embeds for field in embed["fields"]
    )
    for schema in session.schemas():
        assert f"**/{schema['name']}**" in text, schema["name"]
        assert schema["description"] in text
    assert "/attention text:The animal didn't cross the street because it was too tired focus:it" in text
    assert OTHER not in text
    names = [field["name"] for embed in reply.embeds for field in embed["fields"]]
    assert [name for name in names if "(continued)" not in name] == list(SECTIONS)
    assert "**/status** *(moderators)*" in text


async def test_help_for_one_command_shows_its_options(session: LocalSession) -> None:
    exchange = await session.run("/help command:attention")
    (embed,) = exchange.reply.embeds
    assert embed["title"] == "/attention"
    options = next(field["value"] for field in embed["fields"] if field["name"] == "Options")
    for option in ("text", "model", "layer", "head", "focus"):
        assert f"`{option}`" in options
    assert "focus:it" in next(field["value"] for field in embed["fields"] if field["name"] == "Example")
    group = await session.run("/help command:/homework")
    assert "`post`" in group.reply.embeds[0]["fields"][0]["value"]
    unknown = await session.run("/help command:dance")
    assert unknown.reply.ephemeral and "no /dance command" in unknown.reply.content
    choices = await session.autocomplete("/help command:att", "command")
    assert [choice["value"] for choice in choices] == ["attention"]


def test_a_command_without_a_section_still_shows_under_other() -> None:
    infos = {"about": CommandInfo("about", "About."), "brand-new": CommandInfo("brand-new", "Something new.")}
    arranged = arrange(load_sections(), infos)
    assert [section.name for section, _ in arranged] == ["Setup", OTHER]
    embeds = overview_embeds(load_sections(), infos)
    assert "**/brand-new** — Something new." in str(embeds[0].to_dict())
