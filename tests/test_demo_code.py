""" "Show code": every snippet runs as plain Python on the tiny model and gives the bot's answer."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy

from bot.inference.backend import run_request
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.local.store import StoredMessage

SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."
ARTICLE = (
    "America has changed dramatically during recent years. Not only has the number of graduates in "
    "traditional engineering disciplines declined, but in most of the premier American universities "
    "engineering curricula now concentrate on and encourage largely the study of engineering science."
)

# (command line, task, input, params the bot validated[, the model chosen])
CASES: list[tuple[Any, ...]] = [
    (
        "/sentiment text:I've been waiting for this course",
        "sentiment-analysis",
        "I've been waiting for this course",
        {},
    ),
    (
        "/zeroshot text:This is a course about Transformers labels:education, politics, business",
        "zero-shot-classification",
        {
            "text": "This is a course about Transformers",
            "candidate_labels": ["education", "politics", "business"],
        },
        {"multi_label": False},
    ),
    (
        "/generate prompt:In this course, we will teach you how to max_new_tokens:6 do_sample:false",
        "text-generation",
        "In this course, we will teach you how to",
        {"max_new_tokens": 6, "do_sample": False},  # the offline GPT-2 samples unless told not to
    ),
    (
        "/fillmask text:This course will teach you all about [MASK] models. top_k:3",
        "fill-mask",
        "This course will teach you all about [MASK] models.",
        {"top_k": 3},
    ),
    (f"/ner text:{SENTENCE}", "ner", SENTENCE, {}),
    (f"/ner text:{SENTENCE} grouped:false", "ner", SENTENCE, {"aggregation_strategy": "none"}),
    (
        "/fillmask text:Paris is the <mask> of France. top_k:2 model:google-bert/bert-base-cased",
        "fill-mask",
        "Paris is the <mask> of France.",
        {"top_k": 2},
        "google-bert/bert-base-cased",
    ),
    (
        "/sentiment text:Das ist ein guter Kurs model:oliverguhr/german-sentiment-bert",
        "sentiment-analysis",
        "Das ist ein guter Kurs",
        {},
        "oliverguhr/german-sentiment-bert",
    ),
    (
        f"/qa question:Where do I work? context:{SENTENCE}",
        "question-answering",
        {"question": "Where do I work?", "context": SENTENCE},
        {},
    ),
    (f"/summarize text:{ARTICLE}", "summarization", ARTICLE, {}),
    (
        "/translate text:Ce cours est produit par Hugging Face.",
        "translation",
        "Ce cours est produit par Hugging Face.",
        {},
    ),
    (
        "/tokenize text:Using a Transformer network is simple",
        "tokenize",
        "Using a Transformer network is simple",
        {},
    ),
]

RUNNER = """
import contextlib, io, json, sys
outputs = {}
for name, path in json.load(sys.stdin).items():
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
    outputs[name] = buffer.getvalue()
print(json.dumps(outputs))
"""


def snippet_from(session: LocalSession, message: StoredMessage) -> str:
    """The code that runs today in a Show code reply: its last code block, or the attached demo.py
    when it was too long (a removed pipeline's course call comes first, in its own block)."""
    if message.attachments:
        (attachment,) = message.attachments
        assert attachment["filename"] == "demo.py"
        return session.double.uploads[int(attachment["id"])].data.decode()
    content = message.content
    assert content.endswith("```"), content[-80:]
    start = content.rindex("```python\n")
    return content[start + len("```python\n") : -3]


def parse_printed(line: str) -> Any:
    """A printed Python value; pipelines print numpy scalars as ``np.float32(0.99)``."""
    return eval(line, {"__builtins__": {}, "np": numpy})


def same_answer(task: str, printed: str, result: Any) -> None:
    """The snippet's printed output gives the bot's top answer."""
    lines = printed.strip().splitlines()
    if task == "tokenize":
        assert parse_printed(lines[0]) == result["tokens"]
        return
    out = parse_printed(lines[-1])
    if task == "sentiment-analysis":
        assert max(out, key=lambda s: s["score"])["label"] == max(result, key=lambda s: s["score"])["label"]
    elif task == "zero-shot-classification":
        assert out["labels"] == result["labels"]
    elif task == "text-generation":
        assert out[0]["generated_text"] == result[0]["generated_text"]
    elif task == "fill-mask":
        assert [c["token_str"] for c in out] == [c["token_str"] for c in result]
    elif task == "ner":
        key = "entity_group" if "entity_group" in (result or [{}])[0] else "entity"
        assert [(e[key], e["word"]) for e in out] == [(e[key], e["word"]) for e in result]
    elif task == "question-answering":
        assert out["answer"] == result["answer"] and (out["start"], out["end"]) == (
            result["start"],
            result["end"],
        )
    elif task == "summarization":
        assert out[0]["summary_text"] == result["summary_text"]
    elif task == "translation":
        assert out[0]["translation_text"] == result["translation_text"]


async def test_show_code_snippets_run_and_give_the_bots_answers(
    session: LocalSession, shared_pool: InferencePool, tmp_path: Path
) -> None:
    paths: dict[str, str] = {}
    results: dict[str, Any] = {}
    for number, (line, task, item, params, *model) in enumerate(CASES):
        user = ("Grace", "Linus", "Ada")[number % 3]  # stay within each member's demo rate
        demo = await session.run(line, user=user)
        shown = await session.click(demo.reply, "Show code", user=user)
        assert shown.reply.ephemeral
        code = snippet_from(session, shown.reply)
        compile(code, task, "exec")  # valid Python
        path = tmp_path / f"{number}.py"
        path.write_text(code)
        paths[f"{number}:{task}"] = str(path)
        (results[f"{number}:{task}"],) = await run_request(
            shared_pool, task, model[0] if model else None, [item], params, user="test"
        )
    finished = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", RUNNER],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    printed = json.loads(finished.stdout.strip().splitlines()[-1])
    for name, output in printed.items():
        same_answer(name.split(":", 1)[1], output, results[name])


async def test_show_code_survives_a_restart_and_says_when_expired(session: LocalSession) -> None:
    demo = await session.run("/sentiment text:Still here after a restart?")
    await session.restart()
    shown = await session.click(demo.reply, "Show code")
    assert 'pipeline("sentiment-analysis"' in shown.reply.content
    assert session.bot is not None
    await session.bot.db.execute("DELETE FROM demo_runs")
    await session.bot.db.commit()
    gone = await session.click(demo.reply, "Show code")
    assert gone.reply.ephemeral and "too old" in gone.reply.content


async def test_run_again_answers_a_new_sample_in_a_new_message(session: LocalSession) -> None:
    demo = await session.run("/generate prompt:Once upon a time max_new_tokens:5 do_sample:true")
    labels = [c["label"] for row in demo.reply.components for c in row["components"]]
    assert "Run again" in labels
    again = await session.click(demo.reply, "Run again", user="Linus")
    assert again.reply.id != demo.reply.id
    assert again.reply.embeds[0]["fields"][0]["name"] == "Continuation"
    assert session.bot is not None
    await session.bot.db.execute("DELETE FROM demo_runs")
    await session.bot.db.commit()
    gone = await session.click(demo.reply, "Run again", user="Linus")
    assert gone.reply.ephemeral and "too old to run again" in gone.reply.content
    greedy = await session.run("/generate prompt:Once upon a time max_new_tokens:5 do_sample:false")
    assert "Run again" not in [c["label"] for row in greedy.reply.components for c in row["components"]]


# (command line, the course's pipeline call, whether the transformers 5 code fits in the message)
REMOVED_PIPELINES = [
    (
        f"/qa question:Where do I work? context:{SENTENCE}",
        'question_answerer = pipeline("question-answering", '
        "model='distilbert/distilbert-base-cased-distilled-squad')\n"
        f"question_answerer(question='Where do I work?', context={SENTENCE!r})",
        False,
    ),
    (
        f"/summarize text:{ARTICLE} max_length:40",
        f"summarizer = pipeline(\"summarization\", model='sshleifer/distilbart-cnn-12-6')\n"
        f"summarizer({ARTICLE!r}, max_length=40)",
        True,
    ),
    (
        "/translate text:Ce cours est produit par Hugging Face.",
        "translator = pipeline(\"translation\", model='Helsinki-NLP/opus-mt-fr-en')\n"
        "translator('Ce cours est produit par Hugging Face.')",
        True,
    ),
]


async def test_removed_pipelines_show_the_courses_call_then_the_transformers_5_code(
    session: LocalSession,
) -> None:
    for number, (line, course, inline) in enumerate(REMOVED_PIPELINES):
        user = ("Grace", "Linus", "Ada")[number]
        demo = await session.run(line, user=user)
        shown = (await session.click(demo.reply, "Show code", user=user)).reply
        content = shown.content
        assert shown.ephemeral and content.startswith(
            "**In the course (transformers 4)**, one pipeline call:"
        )
        assert f"from transformers import pipeline\n\n{course}\n```" in content, content
        assert "**With transformers 5**, that pipeline is gone" in content or (
            "**With transformers 5**, the " in content and "pipeline is gone" in content
        )
        assert "removed the" in content and len(content) <= 2000
        assert "holds your whole input" not in content  # a sentence is not a long input
        if inline:
            assert not shown.attachments and content.count("```python") == 2
        else:
            (attachment,) = shown.attachments
            assert attachment["filename"] == "demo.py" and "lines long, so it is attached" in content
        v5 = snippet_from(session, shown)
        assert "pipeline(" not in v5 and "from_pretrained(checkpoint)" in v5
