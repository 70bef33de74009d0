"""Extractive question answering: the answer highlighted in its context.

transformers 5 removed the ``question-answering`` pipeline that the course calls, so "Show code"
shows that call and then the code that does its work today: the windows over a long context, the
softmax over the context's tokens only, the best spans widened to whole words — what the bot's own
runner does (:mod:`bot.inference.runners.question_answering`), so the code gives the bot's answer.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.inference.loading import load_tokenizer
from bot.inference.tasks import qa_window_settings
from bot.replies import truncate
from cogs._live.code import Snippet, header
from cogs._live.presenter import COURSE, CodeCall, Finished, Presenter, base_embed
from cogs._live.text import DESCRIPTION_LIMIT, FIELD_LIMIT, escape, highlight, quote

#: Why the course's one line no longer runs (after "With transformers 5, …").
REMOVED = (
    "that pipeline is gone (v5 removed the question-answering, summarization and translation "
    "pipelines), so the same answer takes the steps it ran inside — tokenize, run the model, pick "
    "and decode the best span:"
)


def context_window(context: str, start: int, end: int, radius: int = 600) -> tuple[str, int, int, bool]:
    """The part of ``context`` around [start, end) that fits an embed, with the span shifted."""
    if len(context) <= 2 * radius + (end - start):
        return context, start, end, False
    left = max(0, start - radius)
    right = min(len(context), end + radius)
    return context[left:right], start - left, end - left, True


def qa_embed(done: Finished) -> discord.Embed:
    """The question, the context around the best answer (highlighted), and each answer's score."""
    embed = base_embed(done.meta)
    question, context = done.item["question"], done.item["context"]
    answers: list[dict[str, Any]] = done.result if isinstance(done.result, list) else [done.result]
    embed.add_field(name="Question", value=truncate(escape(question), FIELD_LIMIT, "…"), inline=False)
    if not answers or all(not a["answer"] for a in answers):
        embed.description = quote(context, 1500)
        embed.add_field(name="Answer", value="The model found no answer in the context.", inline=False)
        return embed
    best = answers[0]
    window, start, end, cut = context_window(context, best["start"], best["end"])
    shown = highlight(window, [(start, end, "")], DESCRIPTION_LIMIT - 4)
    embed.description = ("…" if cut else "") + shown + ("…" if cut else "")
    for number, answer in enumerate(answers, start=1):
        name = "Answer" if len(answers) == 1 else f"Answer {number}"
        text = escape(answer["answer"]) or "(no answer)"
        span = f"characters {answer['start']}–{answer['end']}"
        value = f"{truncate(text, 900, '…')}\nscore {answer['score']:.1%} · {span}"
        embed.add_field(name=name, value=value, inline=False)
    return embed


def course_call(checkpoint: str, item: dict[str, str]) -> str:
    """The course's transformers 4 call."""
    return (
        "from transformers import pipeline\n\n"
        f'question_answerer = pipeline("question-answering", model={checkpoint!r})\n'
        f"question_answerer(question={item['question']!r}, context={item['context']!r})\n"
    )


def v5_code(call: CodeCall, max_seq_len: int, doc_stride: int) -> str:
    """What the v4 pipeline did, by hand, with the values the bot used."""
    item, ref, checkpoint = call.item, call.ref, call.checkpoint
    max_answer_len = call.params.get("max_answer_len", 15)
    return f"""import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

{header(checkpoint, ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
model = AutoModelForQuestionAnswering.from_pretrained(checkpoint)

question = {item["question"]!r}
context = {item["context"]!r}
# Long contexts are cut into overlapping windows; only the context may hold the answer.
inputs = tokenizer(question, context, truncation="only_second", max_length={max_seq_len}, stride={doc_stride},
                   return_overflowing_tokens=True, return_offsets_mapping=True, padding=True,
                   return_tensors="pt")
offsets = inputs.pop("offset_mapping")
inputs.pop("overflow_to_sample_mapping")
with torch.no_grad():
    outputs = model(**inputs)

answers = {{}}
for window in range(len(offsets)):
    sequence_ids = inputs.sequence_ids(window)
    answerable = torch.tensor([s == 1 for s in sequence_ids])
    answerable[0] = True  # [CLS] takes part in the softmax (it stands for "no answer")...
    start = outputs.start_logits[window].masked_fill(~answerable, -10_000.0).softmax(-1)
    end = outputs.end_logits[window].masked_fill(~answerable, -10_000.0).softmax(-1)
    start[0] = end[0] = 0.0  # ...but never starts or ends an answer
    # Every span start <= end, at most {max_answer_len} tokens long, scores p(start) * p(end).
    scores = torch.triu(start[:, None] * end[None, :]).tril({max_answer_len} - 1)
    best = scores.flatten().topk(min(12, scores.numel()))  # the pipeline kept the 12 best spans
    words = inputs.word_ids(window)
    for score, index in zip(best.values.tolist(), best.indices.tolist()):
        s, e = divmod(index, scores.shape[1])
        if s == 0 or not (answerable[s] and answerable[e]):
            continue
        # Widen the span to whole words; answers with the same text add up their scores.
        first = inputs.word_to_chars(window, words[s], sequence_index=1).start
        last = inputs.word_to_chars(window, words[e], sequence_index=1).end
        text = context[first:last]
        new = {{"score": 0.0, "start": first, "end": last, "answer": text}}
        answers.setdefault(text.lower(), new)["score"] += score

print(max(answers.values(), key=lambda answer: answer["score"]))
"""


class QuestionAnsweringPresenter(Presenter):
    task = "question-answering"
    title = "Question answering"
    learn_more = f"{COURSE}/chapter1/3#question-answering"

    def render(self, done: Finished) -> discord.Embed:
        return qa_embed(done)

    def snippet(self, call: CodeCall) -> Snippet:
        tokenizer = load_tokenizer(call.ref, call.cache_dir, task=self.task)
        max_seq_len, doc_stride = qa_window_settings(tokenizer, call.params)
        size = len(call.item["question"]) + len(call.item["context"])
        return Snippet(
            v5_code(call, max_seq_len, doc_stride), course_call(call.checkpoint, call.item), REMOVED, size
        )
