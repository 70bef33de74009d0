"""How the offline language models do on text they never saw: figures, never a timed test.

``python benchmarks/tiny_quality.py [--models DIR] [--json]`` builds the offline models (or reuses
a build: ``DIR`` as ``studybot models build-tiny DIR`` or the tests' ``.cache/tiny-models/<hash>``
leave it) and scores three of them on held-out sentences of the English corpus (sentences its
writer gives with another seed, none of them in any training text):

- text generation: the mean loss per token on 200 sentences (lower is better);
- fill-mask: one lower-case word of three letters or more masked in each of 150 sentences, how
  often it is the top guess and how often among the five guesses;
- summarization: of 65 new documents (``summarization_seeds.held_out_documents``), how many
  summaries are exactly the first sentence and how many are mostly the text's words.

The seed benchmarks (``zero_shot_seeds.py``, ``summarization_seeds.py``) say whether a recipe's
figures hold for other seeds; this says what the shipped recipe gives.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import summarization_seeds  # its held-out documents

GENERATION_SENTENCES = 200
FILL_MASK_SENTENCES = 150


def held_out_sentences(count: int) -> list[str]:
    """English-corpus sentences that no offline model's training text contains."""
    from bot.inference.tiny import corpora

    seen = set(corpora.english_sentences())
    for document, _ in corpora.summary_examples():
        seen |= set(re.split(r"(?<=[.!?]) ", document))
    candidates = corpora.english_sentences(4 * count, seed=777)
    return [sentence for sentence in candidates if sentence not in seen][:count]


def generation_loss(directory: Path) -> float:
    """Mean loss per token of the GPT-2 model on held-out sentences, each after ``<|endoftext|>``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = AutoModelForCausalLM.from_pretrained(directory).eval()
    losses = []
    with torch.inference_mode():
        for sentence in held_out_sentences(GENERATION_SENTENCES):
            ids = [tokenizer.eos_token_id, *tokenizer(sentence)["input_ids"]]
            batch = torch.tensor([ids])
            losses.append(model(batch, labels=batch).loss.item())
    return sum(losses) / len(losses)


def fill_mask_hits(directory: Path) -> dict[str, float]:
    """Shares of masked held-out words guessed first and among five, through studybot's runner."""
    from bot.inference.loading import load_runner

    runner = load_runner("fill-mask", str(directory))
    pick = random.Random(3)
    first = among_five = asked = 0
    for sentence in held_out_sentences(FILL_MASK_SENTENCES):
        words = list(re.finditer(r"\b[a-z]{3,}\b", sentence))
        if not words:
            continue
        word = pick.choice(words)
        text = sentence[: word.start()] + "<mask>" + sentence[word.end() :]
        guesses = [guess["token_str"].strip() for guess in runner.run([text], {"top_k": 5})[0]]
        asked += 1
        first += guesses[0] == word.group()
        among_five += word.group() in guesses
    return {"masked_words": asked, "first_guess": first / asked, "among_five": among_five / asked}


def summaries(directory: Path) -> dict[str, int]:
    """Summaries of the held-out documents that are exactly, or mostly, the text's first sentence."""
    from bot.inference.loading import load_runner
    from tests.inference.test_tiny_models_answer import word_overlap

    runner = load_runner("summarization", str(directory))
    documents = summarization_seeds.held_out_documents()
    made = [runner.run([document], {})[0]["summary_text"].strip() for document, _ in documents]
    pairs = list(zip(made, documents, strict=True))
    return {
        "documents": len(documents),
        "exact": sum(summary == first for summary, (_, first) in pairs),
        "mostly_its_words": sum(word_overlap(summary, document) >= 0.8 for summary, (document, _) in pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="a build of the offline models (default: build one)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    import torch
    from transformers.utils import logging as hf_logging

    from bot.inference.tiny import build_tiny_models

    torch.set_num_threads(1)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory(prefix="studybot-tiny-quality-") as scratch:
        models = build_tiny_models(args.models or Path(scratch))
        figures: dict[str, Any] = {
            "generation_loss": generation_loss(models["text-generation"]),
            "fill_mask": fill_mask_hits(models["fill-mask"]),
            "summarization": summaries(models["summarization"]),
        }
    masks, summary = figures["fill_mask"], figures["summarization"]
    loss = figures["generation_loss"]
    print(f"text generation: {loss:.3f} loss per token on {GENERATION_SENTENCES} sentences")
    print(
        f"fill-mask: {masks['first_guess']:.0%} first guess, {masks['among_five']:.0%} among five"
        f" ({masks['masked_words']} masked words)"
    )
    print(
        f"summarization: {summary['exact']}/{summary['documents']} exactly the first sentence,"
        f" {summary['mostly_its_words']}/{summary['documents']} mostly the text's words"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
