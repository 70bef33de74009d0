"""Does the offline zero-shot recipe hold across seeds? Figures, never a timed test.

``python benchmarks/zero_shot_seeds.py [--seeds 5-12] [--workers 2]`` trains the recipe
(``recipes.build_zero_shot``) once per seed, in worker processes with the build's pinned kernels
and one torch thread each, scores it through studybot's own runner and prints for each seed what
the tests ask (the course's sentence in education, the held-out sentences right, the training
loss below half its start) and two shares over every topic of the word lists, ten labels to
choose from (chance: one in ten): the cues in the corpus's most common frame ("This text is
about …") and in five frames that no corpus contains. The recipe ships with one seed; this says
whether its answers depend on it.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed_trials  # the seed benchmarks' shared part, beside this script

SEEN_FRAME = "This text is about {}."
NEW_FRAMES = [
    "I just read a blog post about {}.",
    "Our meeting focused on {}.",
    "She wrote a long email about {}.",
    "The podcast this week covers {}.",
    "Can we discuss {} tomorrow?",
]


def _trial(seed: int) -> dict[str, Any]:
    """Train with ``seed`` and score the model (the body of a worker process)."""
    from bot.inference.tiny import corpora, recipes
    from tests.inference.test_tiny_models_answer import COURSE_ZERO_SHOT, NEW_ZERO_SHOT, best_label

    with seed_trials.trained(recipes.build_zero_shot, "zero-shot-classification", seed) as model:
        best = functools.partial(best_label, model.runner)

        topics = corpora.words()["topics"]
        categories = sorted(topics)

        def share(frames: list[str]) -> float:
            answers = [
                best(frame.format(cue), categories) == category
                for category in categories
                for cue in topics[category]["cues"]
                for frame in frames
            ]
            return sum(answers) / len(answers)

        return {
            "seed": seed,
            "course": best(COURSE_ZERO_SHOT, ["education", "politics", "business"]) == "education",
            "held_out": sum(best(text, labels) == expected for text, labels, expected in NEW_ZERO_SHOT),
            "held_out_of": len(NEW_ZERO_SHOT),
            "loss_ratio": model.fitted.final_loss / model.fitted.first_loss,
            "seen_frame": share([SEEN_FRAME]),
            "new_frames": share(NEW_FRAMES),
            "cpu_seconds": model.cpu_seconds,
        }


def _row(r: dict[str, Any]) -> str:
    return (
        f"{r['seed']:>4}  {'yes' if r['course'] else 'no':>6}  {r['held_out']:>5}/{r['held_out_of']}"
        f"  {r['loss_ratio']:>14.2f}  {r['seen_frame']:>10.0%}  {r['new_frames']:>10.0%}"
        f"  {r['cpu_seconds']:>5.0f}"
    )


def _passing(results: seed_trials.Results) -> str:
    passing = sum(
        r["course"] and r["held_out"] >= 0.7 * r["held_out_of"] and r["loss_ratio"] < 0.5 for r in results
    )
    return f"{passing} of {len(results)} seeds pass the tests' three checks (chance on ten labels: 10%)"


def main() -> None:
    seed_trials.main(
        _trial,
        description=__doc__.splitlines()[0],
        default_seeds="5-12",
        header="seed  course  held-out  loss end/start  seen frame  new frames  CPU s",
        row=_row,
        footer=_passing,
    )


if __name__ == "__main__":
    main()
