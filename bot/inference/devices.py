"""Which devices the workers run on."""

from __future__ import annotations

from bot.settings import SettingsError


def cuda_device_count() -> int:
    """How many CUDA GPUs torch sees (0 without CUDA)."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def resolve_devices(spec: tuple[str, ...], gpus: int | None = None) -> list[str]:
    """``("auto",)`` becomes every CUDA GPU, or the CPU when there is none; a list is checked.

    Raises :class:`SettingsError` (one line, naming DEVICES) for a GPU this machine lacks.
    """
    count = cuda_device_count() if gpus is None else gpus
    if spec == ("auto",):
        return [f"cuda:{index}" for index in range(count)] or ["cpu"]
    for device in spec:
        if device.startswith("cuda:") and int(device.split(":")[1]) >= count:
            have = f"{count} CUDA GPU{'s' if count != 1 else ''}" if count else "no CUDA GPU"
            raise SettingsError(f"DEVICES names {device}, but this machine has {have}.")
    return list(spec)
