"""Pydantic's validation errors in the contributor's terms: path, line, field, message and a hint."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from evwm.records.problems import Problem, did_you_mean, field_path
from evwm.records.yamlio import YamlDoc

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "finite_number": "must be a finite number, not .nan or .inf",
    "less_than_equal": "is too large",
    "greater_than_equal": "is too small",
}

# How to fix the common type errors, in the contributor's terms (YAML, not Python).
_HINTS = {
    "list_type": "write a list: one '- item' per line below the field",
    "dict_type": "write 'name: value' lines indented below the field",
    "model_type": "write 'name: value' lines indented below the field",
    "string_type": "write plain text (quote it if it looks like a number or true/false)",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "too_short": "add at least one item",
    "too_long": "remove some items",
    "string_too_short": "write more; see docs/data-format.md",
    "finite_number": "write the number the source reports",
    "less_than_equal": "check the number and its unit",
    "greater_than_equal": "check the number and its unit",
}


def pydantic_problems(exc: ValidationError, model: type[BaseModel], path: str, doc: YamlDoc) -> list[Problem]:
    out = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        message = _MESSAGES.get(kind) or error["msg"].removeprefix("Value error, ")
        hint = ""
        if kind == "extra_forbidden":
            hint = did_you_mean(str(loc[-1]), _known_fields(model, loc[:-1])) or "see docs/data-format.md"
        elif kind == "missing":
            hint = "see docs/data-format.md for what it holds"
        elif kind == "enum":
            expected = error.get("ctx", {}).get("expected", "")
            message, hint = f"'{error.get('input')}' is not allowed", f"use one of {expected}"
        elif kind == "string_pattern_mismatch":
            message = f"'{error.get('input')}' has characters that are not allowed"
            hint = "use lower-case letters, digits and hyphens"
        elif kind == "string_too_long":
            hint = "shorten it"
        elif kind in ("float_parsing", "float_type"):
            hint = "write a plain number such as 2.5, and put the unit in 'unit'"
        else:
            hint = _HINTS.get(kind, "")
        out.append(Problem(path, doc.line_of(loc), field_path(loc), message, hint))
    return out


def _known_fields(model: type[BaseModel], loc: tuple[object, ...]) -> list[str]:
    current: object = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        current = next((a for a in (annotation, *args) if hasattr(a, "model_fields")), None)
    return list(getattr(current, "model_fields", {}))
