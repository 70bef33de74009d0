"""What a broken rule looks like, and how Discord reports a set of them (its ``errors`` tree)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

#: Discord's JSON error code for a body that breaks the API's rules.
INVALID_FORM_BODY = 50035

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one request.

    ``detail`` is the double's own sentence (what a failing test shows); ``path`` locates the
    offending value in the JSON body; ``code`` and ``message`` are what Discord puts in its nested
    ``errors`` object for it. ``json_code`` is set for the few rules Discord reports with their own
    top-level code instead of 50035 (e.g. 50006 "Cannot send an empty message").
    """

    rule: str
    detail: str
    path: Path = ()
    code: str = "BASE_TYPE_INVALID"
    message: str = "Invalid Form Body"
    json_code: int | None = None

    def __str__(self) -> str:
        return self.detail


def too_long(rule: str, path: Path, what: str, length: int, limit: int) -> Problem:
    """A string over its maximum length (Discord: ``BASE_TYPE_MAX_LENGTH``)."""
    return Problem(
        rule,
        f"{what} is {length} characters (limit {limit})",
        path,
        "BASE_TYPE_MAX_LENGTH",
        f"Must be {limit} or fewer in length.",
    )


def bad_length(rule: str, path: Path, what: str, length: int, low: int, high: int) -> Problem:
    """A string or array outside ``low..high`` (Discord: ``BASE_TYPE_BAD_LENGTH``)."""
    return Problem(
        rule,
        f"{what} of {length} ({low} to {high})",
        path,
        "BASE_TYPE_BAD_LENGTH",
        f"Must be between {low} and {high} in length.",
    )


def required(rule: str, path: Path, what: str) -> Problem:
    """A field that must be present (Discord: ``BASE_TYPE_REQUIRED``)."""
    return Problem(rule, f"{what} is required", path, "BASE_TYPE_REQUIRED", "This field is required")


def not_allowed(rule: str, path: Path, detail: str, code: str = "BASE_TYPE_INVALID") -> Problem:
    """A value or field the context does not allow."""
    return Problem(rule, detail, path, code, detail[:1].upper() + detail[1:] + ".")


def length_between(
    rule: str, path: Path, what: str, value: str | None, low: int, high: int
) -> Iterable[Problem]:
    """``value`` (a string) has ``low..high`` characters; None counts as empty."""
    length = len(value or "")
    if length > high and low <= 1:
        yield too_long(rule, path, what, length, high)
    elif not low <= length <= high:
        yield bad_length(rule, path, what, length, low, high)


def is_int(value: Any) -> TypeGuard[int]:
    """An integer (JSON numbers that are whole), not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def errors_tree(problems: Sequence[Problem]) -> dict[str, Any]:
    """Discord's nested ``errors`` object: each path's keys nest, leaves hold ``_errors`` lists."""
    tree: dict[str, Any] = {}
    for problem in problems:
        node = tree
        for key in problem.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return tree


def error_body(problems: Sequence[Problem]) -> dict[str, Any]:
    """The JSON body Discord answers a refused request with."""
    for problem in problems:
        if problem.json_code is not None:
            return {"code": problem.json_code, "message": problem.message}
    return {"code": INVALID_FORM_BODY, "message": "Invalid Form Body", "errors": errors_tree(problems)}


__all__ = [
    "INVALID_FORM_BODY",
    "Path",
    "Problem",
    "bad_length",
    "error_body",
    "errors_tree",
    "is_int",
    "length_between",
    "not_allowed",
    "required",
    "too_long",
]
