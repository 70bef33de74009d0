"""``/help``'s content: sections and examples from ``help.json``, everything else from the live tree.

Each top-level command is described by its own docstring (its Discord description) and, for a
group, its subcommands, read from the command tree at the time of the call; ``help.json`` only
says which section a command belongs to and gives one example of it. A command the data file
does not know still shows, under "Other", so a new command is never silently missing (and
tests/test_teaching_help.py fails until it gets a section and an example).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.checks import is_moderator_command
from bot.replies import truncate

HELP_PATH = Path(__file__).with_name("help.json")
COLOUR = discord.Colour(0xFFD21E)
FIELD_LIMIT = 1024
EMBED_LIMIT = 5800  # Discord allows 6000 characters over all of a message's embeds
OTHER = "Other"


@dataclass(frozen=True)
class Section:
    """A group of commands, as the course groups its chapters."""

    name: str
    about: str
    course_url: str | None
    examples: dict[str, str]  # command name → one example line


@dataclass(frozen=True)
class CommandInfo:
    """A top-level command as the tree describes it."""

    name: str
    description: str
    subcommands: tuple[tuple[str, str], ...] = ()  # (name, description)
    options: tuple[tuple[str, str, bool], ...] = ()  # (name, description, required)
    moderators: bool = False


@functools.cache
def load_sections(path: Path = HELP_PATH) -> tuple[Section, ...]:
    """The sections of ``help.json`` (read once)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Section(raw["name"], raw["about"], raw.get("course_url"), dict(raw["commands"]))
        for raw in data["sections"]
    )


def _options(parameters: list[Any]) -> tuple[tuple[str, str, bool], ...]:
    return tuple((p.display_name, p.description, p.required) for p in parameters)


def command_infos(tree: app_commands.CommandTree) -> dict[str, CommandInfo]:
    """Every top-level slash command of ``tree``, by name."""
    infos: dict[str, CommandInfo] = {}
    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        moderators = is_moderator_command(command)
        if isinstance(command, app_commands.Group):
            subcommands = tuple(
                (sub.name, sub.description)
                for sub in command.commands
                if isinstance(sub, app_commands.Command | app_commands.Group)
            )
            infos[command.name] = CommandInfo(command.name, command.description, subcommands, (), moderators)
        elif isinstance(command, app_commands.Command):
            infos[command.name] = CommandInfo(
                command.name, command.description, (), _options(command.parameters), moderators
            )
    return infos


def arrange(
    sections: tuple[Section, ...], infos: dict[str, CommandInfo]
) -> list[tuple[Section, list[CommandInfo]]]:
    """The sections with the live commands they hold; commands of no section go under "Other"."""
    placed: set[str] = set()
    arranged = []
    for section in sections:
        members = [infos[name] for name in section.examples if name in infos]
        placed.update(info.name for info in members)
        if members:
            arranged.append((section, members))
    rest = [info for name, info in sorted(infos.items()) if name not in placed]
    if rest:
        arranged.append((Section(OTHER, "Commands without a section yet.", None, {}), rest))
    return arranged


def command_line(info: CommandInfo, example: str | None) -> str:
    """``/name`` — description, the subcommands, and the example."""
    who = " *(moderators)*" if info.moderators else ""
    line = f"**/{info.name}**{who} — {info.description}"
    if info.subcommands:
        line += "\n  " + " · ".join(f"`{name}`" for name, _ in info.subcommands)
    if example:
        line += f"\n  e.g. `{example}`"
    return line


def _fields(title: str, lines: list[str]) -> list[tuple[str, str]]:
    """``lines`` packed into fields of at most 1024 characters (continued fields say so)."""
    fields: list[tuple[str, str]] = []
    current: list[str] = []
    for line in lines:
        line = truncate(line, FIELD_LIMIT)
        if current and len("\n".join([*current, line])) > FIELD_LIMIT:
            fields.append((title if not fields else f"{title} (continued)", "\n".join(current)))
            current = []
        current.append(line)
    if current:
        fields.append((title if not fields else f"{title} (continued)", "\n".join(current)))
    return fields


def overview_embeds(sections: tuple[Section, ...], infos: dict[str, CommandInfo]) -> list[discord.Embed]:
    """Every command by section, each with its example, in as few embeds as Discord's limits allow."""
    intro = (
        "Commands grouped as the course is. Type `/help command:<name>` for one command's options. "
        "Model demos answer with a **Learn more** link to the course section that teaches them."
    )
    embeds = [discord.Embed(title="studybot help", description=intro, colour=COLOUR)]
    used = len(embeds[0].title or "") + len(intro)
    for section, members in arrange(sections, infos):
        header = f"*{section.about}*" + (f" [Course]({section.course_url})" if section.course_url else "")
        lines = [header] + [command_line(info, section.examples.get(info.name)) for info in members]
        for name, value in _fields(section.name, lines):
            embed = embeds[-1]
            if len(embed.fields) >= 25 or used + len(name) + len(value) > EMBED_LIMIT:
                embed = discord.Embed(colour=COLOUR)
                embeds.append(embed)
                used = 0
            embed.add_field(name=name, value=value, inline=False)
            used += len(name) + len(value)
    return embeds


def find_example(sections: tuple[Section, ...], name: str) -> tuple[Section | None, str | None]:
    for section in sections:
        if name in section.examples:
            return section, section.examples[name]
    return None, None


def command_embed(info: CommandInfo, section: Section | None, example: str | None) -> discord.Embed:
    """One command: its description, options or subcommands, and example."""
    embed = discord.Embed(
        title=f"/{info.name}",
        description=info.description,
        colour=COLOUR,
        url=section.course_url if section else None,
    )
    if info.subcommands:
        lines = [f"`{name}` — {description}" for name, description in info.subcommands]
        for name, value in _fields("Subcommands", lines):
            embed.add_field(name=name, value=value, inline=False)
    if info.options:
        lines = [
            f"`{name}`{'' if required else ' (optional)'} — {description}"
            for name, description, required in info.options
        ]
        for name, value in _fields("Options", lines):
            embed.add_field(name=name, value=value, inline=False)
    if example:
        embed.add_field(name="Example", value=f"`{example}`", inline=False)
    if info.moderators:
        embed.add_field(name="Who", value="Moderators (Manage Server or a moderator role)", inline=False)
    embed.set_footer(text=f"Section: {section.name}" if section else "Section: none yet")
    return embed
