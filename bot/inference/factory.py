"""Which inference backend the bot runs: the local worker pool, or Ray Serve (INFERENCE_BACKEND)."""

from __future__ import annotations

import importlib.util

from bot.inference.backend import InferenceBackend
from bot.settings import Settings, SettingsError


def make_backend(settings: Settings) -> InferenceBackend:
    """A new, not yet started backend for ``settings`` (``ray`` is imported only when chosen)."""
    if settings.inference_backend == "ray":
        if importlib.util.find_spec("ray") is None:
            raise SettingsError(
                "INFERENCE_BACKEND=ray needs Ray Serve, which is not installed: `pip install -e '.[ray]'`."
            )
        from bot.inference.ray_backend import RayBackend

        return RayBackend(settings)
    from bot.inference.pool import InferencePool

    return InferencePool(settings)
