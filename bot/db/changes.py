"""The base of a store's edit: a frozen dataclass whose fields are None unless they change."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


class Changes:
    """Mixed into a ``@dataclass(frozen=True)`` whose fields all default to None ("unchanged")."""

    def given(self) -> dict[str, Any]:
        """The fields that change, by name, in declaration order."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)  # type: ignore[arg-type]
            if getattr(self, field.name) is not None
        }


__all__ = ["Changes"]
