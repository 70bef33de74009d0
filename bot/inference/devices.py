"""Which devices the workers run on."""

from __future__ import annotations

from pathlib import Path

from bot.settings import SettingsError

#: Present whenever a GPU driver torch could use is loaded (NVIDIA's, or ROCm's for AMD GPUs).
DRIVER_PATHS = (Path("/proc/driver/nvidia/gpus"), Path("/dev/kfd"))


def gpu_driver_present(paths: tuple[Path, ...] = DRIVER_PATHS) -> bool:
    """Whether this machine has a GPU driver loaded (without one, torch sees no CUDA device)."""
    return any(path.exists() for path in paths)


def cuda_device_count() -> int:
    """How many CUDA GPUs torch sees (0 without CUDA).

    Importing torch takes the bot process a second or more (and much more on a busy machine), so
    a machine without a GPU driver is answered without it.
    """
    if not gpu_driver_present():
        return 0
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
