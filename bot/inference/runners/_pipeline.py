"""Building a transformers pipeline around an already loaded model and tokenizer."""

from __future__ import annotations

from typing import Any


def build_pipeline(pipeline_task: str, model: Any, tokenizer: Any) -> Any:
    """A v5 pipeline for ``pipeline_task`` on ``model`` (already on its device)."""
    from transformers import pipeline

    make: Any = pipeline  # its overloads want the task as a literal; ours is the runner's
    return make(pipeline_task, model=model, tokenizer=tokenizer, device=model.device)
