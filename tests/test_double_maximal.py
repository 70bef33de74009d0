"""Every command, subcommand, button, select and form with the largest inputs it accepts, against
the strict double: not one message breaks Discord's limits (the session fails on any breach or
error log), whatever a member types and however many items a list holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings
from tests.support.maximal import Driver, Leaf, component_kind, filler, leaves, long_url
from tests.support.sessions import clocked, setup_guild

Env = tuple[LocalSession, ManualClock, Driver]
LIVE = utc(2031, 3, 20, 17, 10)  # ten minutes into the first session (Thursday 18:00 in Paris)
MEMBERS = 40
PARAGRAPH = (
    "Transformer models are used to solve all kinds of tasks across different modalities, including "
    "natural language processing, computer vision, audio processing, and more. The pipeline() function "
    "connects a model with its necessary preprocessing and postprocessing steps, allowing us to directly "
    "input any text and get an intelligible answer. By default, this pipeline selects a particular "
    "pretrained model that has been fine-tuned for sentiment analysis in English. The model is downloaded "
    "and cached when you create the classifier object. If you rerun the command, the cached model will be "
    "used instead and there is no need to download the model again. There are three main steps involved "
    "when you pass some text to a pipeline: the text is preprocessed into a format the model can "
    "understand, the preprocessed inputs are passed to the model, and the predictions of the model are "
    "post-processed, so you can make sense of them."
)


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool, tmp_path: Path) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        world = session.double.world
        names = [f"Member{n:02d}" + "_x" * 12 for n in range(MEMBERS)]  # 32 characters, markdown
        for name in names:
            world.add_user(session.double.ids, name, moderator=True)
        await session.restart()  # the new members arrive with the next GUILD_CREATE
        await setup_guild(session)
        await session.run("/config channel purpose:homework channel:#homework", moderator=True)
        yield session, clock, Driver(session, names, tmp_path)


def by_name(session: LocalSession) -> dict[str, Leaf]:
    return {leaf.display: leaf for leaf in leaves(session.schemas())}


async def seed_lists(session: LocalSession, clock: ManualClock, driver: Driver) -> None:
    """The most items, with the longest texts, in every list the bot shows."""
    commands = by_name(session)
    topics = "; ".join(filler(68, n).replace(";", ",") for n in range(52))
    await driver.run(
        commands["/session schedule"],
        {
            "title": filler(100),
            "weekday": "Thursday",
            "time": "18:00",
            "duration": "480",
            "weeks": "52",
            "link": long_url(100, "https://meet.example.org/"),
            "topics": topics,
            "first_week": "1",
        },
    )
    for number in range(60):
        await driver.run(
            commands["/homework post"],
            {
                "week": str(1 + number % 8),  # 7 or 8 items a week: the longest week fields
                "title": f"{number:02d} " + filler(97, number),
                "due": "2031-06-30 18:00",
                "description": filler(2000, number),
                "optional": "true",
                "channel_reminder": "true",
            },
        )
    for number in range(30):
        tags = ", ".join(f"tag{number:02d}{'x' * 25}{tag}" for tag in range(10))
        await driver.run(
            commands["/resources add"],
            {
                "title": f"{number:02d} transformers " + filler(84, number),
                "url": long_url(512, f"https://example.org/{number}/"),
                "category": "course",
                "description": "transformers " + filler(987, number),
                "tags": tags,
            },
        )
        await driver.run(
            commands["/papers add"],
            {
                "title": f"{number:02d} " + filler(147, number),
                "url": long_url(300, f"https://example.org/paper/{number}/"),
                "week": str(1 + number % 2),
                "theme": filler(50, number),
                "companion": long_url(300, f"https://example.org/companion/{number}/"),
                "companion_title": filler(100, number),
                "arxiv": f"2101.{number:05d}",
            },
        )
    await clock.set(LIVE)
    for number in range(30):
        await driver.run(
            commands["/ask"],
            {"question": f"{number:02d} " + filler(497, number), "anonymous": str(number % 2 == 0).lower()},
        )


async def test_every_command_with_maximal_inputs_stays_within_discords_limits(env: Env) -> None:
    session, clock, driver = env
    await seed_lists(session, clock, driver)
    commands = by_name(session)
    # An ordinary paragraph and a member's longest text, for the demo that broke the total.
    await driver.run(commands["/tokenize"], {"text": PARAGRAPH})
    await driver.run(commands["/tokenize"], {"text": filler(2000)})
    await driver.run(commands["/resources search"], {"query": "transformers"})
    await driver.run(commands["/homework list"], {})
    await driver.run(commands["/questions export"], {"format": "file"})
    await driver.run(commands["/questions export"], {"format": "thread"})
    # Merging needs a question in focus first: the panel's select, then the button, then the target.
    panel = (await session.run("/questions list", moderator=True)).reply
    await session.choose(panel, "Act on another question…", ["5"], moderator=True)
    await session.click(panel, "Merge duplicate", moderator=True)
    await session.choose(panel, "It duplicates…", ["6"], moderator=True)
    for form in ("/homework post", "/resources add"):  # without options: the forms
        opened = await driver.run(commands[form], {})
        assert opened.modal is not None, form
        await driver.submit_maximal(opened)
    for leaf in commands.values():  # in the bot's DM: refused or answered, within the limits too
        await driver.run_in_dm(leaf)
    for leaf in commands.values():
        await driver.run_plain(leaf)
        await driver.run_each_option(leaf)
        await driver.run_maximal(leaf)
    assert driver.driven == set(commands), sorted(set(commands) - driver.driven)
    await driver.press_everything()
    shown = {
        component_kind(str(item.get("custom_id")))
        for message in session.double.messages.values()
        if not message.deleted  # a refusal found after the acknowledgement takes its message back
        for row in message.components
        for item in row.get("components") or []
        if item.get("style") != 5
    }
    assert shown - driver.pressed <= {"qa:merge:#", "qa:dup:#"}, sorted(shown - driver.pressed)  # just above
    assert {"Post homework", "Add a resource"} <= driver.submitted, driver.submitted
    assert any(title.startswith("Answered: question") for title in driver.submitted)
    assert any(key.startswith("arch:try") for key in driver.pressed)  # its form was submitted too
    assert session.double.breaches == []
