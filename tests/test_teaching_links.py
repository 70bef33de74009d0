""" "Learn more": every task links the course section that teaches it, in results and /model info."""

from __future__ import annotations

import pytest

from bot.inference.tasks import TASKS
from bot.local.session import LocalSession

COURSE = "https://huggingface.co/learn/llm-course/chapter"


def test_every_task_names_a_course_section() -> None:
    urls = {name: spec.course_url for name, spec in TASKS.items()}
    assert all(url.startswith(COURSE) for url in urls.values()), urls
    assert urls["attention"].endswith("chapter1/4#attention-layers")


@pytest.mark.parametrize("task", list(TASKS))
async def test_model_info_links_the_tasks_course_section(session: LocalSession, task: str) -> None:
    exchange = await session.run(f"/model info task:{task}")
    text = str(exchange.reply.embeds[0])
    assert f"[Learn more in the course]({TASKS[task].course_url})" in text


async def test_the_attention_result_links_its_course_section(session: LocalSession) -> None:
    exchange = await session.run("/attention text:Attention is all you need")
    buttons = {c.get("label"): c for row in exchange.reply.components for c in row["components"]}
    assert buttons["Learn more"]["url"] == TASKS["attention"].course_url
    assert exchange.reply.embeds[0]["url"] == TASKS["attention"].course_url
