""" "Learn more": every task links the course section that teaches it, in results and /model info."""

from __future__ import annotations

import pytest

from bot.inference.tasks import TASKS
from bot.local.session import LocalSession
from cogs._live.presenters import PRESENTERS, presenter_for

COURSE = "https://huggingface.co/learn/llm-course/chapter"


def test_every_task_names_a_course_section() -> None:
    assert set(PRESENTERS) == set(TASKS)  # every task has its presenter, and nothing else does
    urls = {name: presenter.learn_more for name, presenter in PRESENTERS.items()}
    assert all(url.startswith(COURSE) for url in urls.values()), urls
    assert all("/chapter1/" in url or "/chapter2/" in url or "/chapter7/" in url for url in urls.values()), (
        urls
    )
    assert urls["attention"].endswith("chapter1/4#attention-layers")


@pytest.mark.parametrize("task", list(TASKS))
async def test_model_info_links_the_tasks_course_section(session: LocalSession, task: str) -> None:
    exchange = await session.run(f"/model info task:{task}")
    text = str(exchange.reply.embeds[0])
    assert f"[Learn more in the course]({presenter_for(task).learn_more})" in text


async def test_the_attention_result_links_its_course_section(session: LocalSession) -> None:
    exchange = await session.run("/attention text:Attention is all you need")
    url = presenter_for("attention").learn_more
    buttons = {c.get("label"): c for row in exchange.reply.components for c in row["components"]}
    assert buttons["Learn more"]["url"] == url
    assert exchange.reply.embeds[0]["url"] == url


WEEK_ONE = [
    (
        f"/qa question:Where do I work? context:{'My name is Sylvain and I work in Brooklyn.'}",
        "question-answering",
    ),
    ("/summarize text:The course teaches transformers. It has many chapters.", "summarization"),
    ("/translate text:Ce cours est produit par Hugging Face.", "translation"),
]


@pytest.mark.parametrize(("line", "section"), WEEK_ONE, ids=[section for _, section in WEEK_ONE])
async def test_qa_summaries_and_translations_link_the_first_weeks_section(
    session: LocalSession, line: str, section: str
) -> None:
    """Not chapter 7 (fine-tuning them): chapter 1, where the course first runs these pipelines."""
    url = f"{COURSE}1/3#{section}"
    exchange = await session.run(line)
    buttons = {c.get("label"): c for row in exchange.reply.components for c in row["components"]}
    assert buttons["Learn more"]["url"] == url and exchange.reply.embeds[0]["url"] == url
    info = await session.run(f"/model info task:{section}", user="Linus")
    assert f"[Learn more in the course]({url})" in str(info.reply.embeds[0])
