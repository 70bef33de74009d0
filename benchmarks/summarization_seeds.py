"""How well does the offline summarizer copy a new text's first sentence, seed by seed? Figures only.

``python benchmarks/summarization_seeds.py [--seeds 6,21,31,41] [--workers 2]`` trains the recipe
(``recipes.build_summarization``) once per seed, in worker processes with the build's pinned
kernels and one torch thread each, and summarizes through studybot's own runner 60 held-out
documents (two or three English-corpus sentences that the summarizer's corpus does not contain,
with the names, places and organisations that the corpus writer invents) and the tests' five.
For each seed it prints how many summaries are exactly the first sentence (the lesson the
corpus teaches), how many are mostly the text's words (at least 80%, the tests' check), whether
the tests' check passes, and the training loss at the end over its start.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed_trials  # the seed benchmarks' shared part, beside this script

HELD_OUT_DOCUMENTS = 60


def held_out_documents() -> list[tuple[str, str]]:
    """``(document, first sentence)``: new documents, then the tests' own."""
    from bot.inference.tiny import corpora
    from tests.inference.test_tiny_models_answer import SUMMARY_INPUTS

    seen = set(corpora.english_sentences()) | {
        sentence for document, _ in corpora.summary_examples() for sentence in document.split(". ")
    }
    seen |= {sentence.rstrip(".") + "." for sentence in seen}
    pool = [sentence for sentence in corpora.english_sentences(600, seed=777) if sentence not in seen]
    pick = random.Random(5)
    documents = []
    for _ in range(HELD_OUT_DOCUMENTS):
        sentences = [pick.choice(pool) for _ in range(2 + pick.randrange(2))]
        documents.append((" ".join(sentences), sentences[0]))
    return documents + [(text, text.split(". ")[0] + ".") for text in SUMMARY_INPUTS]


def _trial(seed: int) -> dict[str, Any]:
    """Train with ``seed`` and score the model (the body of a worker process)."""
    from bot.inference.tiny import recipes
    from tests.inference.test_tiny_models_answer import SUMMARY_INPUTS, word_overlap

    with seed_trials.trained(recipes.build_summarization, "summarization", seed) as model:
        documents = held_out_documents()
        summaries = [model.runner.run([document], {})[0]["summary_text"].strip() for document, _ in documents]
    pairs = list(zip(summaries, documents, strict=True))
    mostly = [word_overlap(summary, document) >= 0.8 for summary, (document, _) in pairs]
    tests = mostly[-len(SUMMARY_INPUTS) :]
    return {
        "seed": seed,
        "exact": sum(summary == first for summary, (_, first) in pairs),
        "mostly_its_words": sum(mostly),
        "documents": len(documents),
        "tests_pass": sum(tests) >= 0.6 * len(tests),
        "loss_ratio": model.fitted.final_loss / model.fitted.first_loss,
        "cpu_seconds": model.cpu_seconds,
    }


def _row(r: dict[str, Any]) -> str:
    return (
        f"{r['seed']:>4}  {r['exact']:>16}/{r['documents']}  {r['mostly_its_words']:>13}/{r['documents']}"
        f"  {'yes' if r['tests_pass'] else 'no':>12}  {r['loss_ratio']:>14.3f}  {r['cpu_seconds']:>5.0f}"
    )


def main() -> None:
    seed_trials.main(
        _trial,
        description=__doc__.splitlines()[0],
        default_seeds="6,21,31,41",
        header="seed  first sentence exactly  mostly its words  tests' check  loss end/start  CPU s",
        row=_row,
    )


if __name__ == "__main__":
    main()
