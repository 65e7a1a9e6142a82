"""Pydantic's validation errors in the contributor's terms: path, line, field, message and a hint."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from evwm.records.problems import Problem, did_you_mean, field_path
from evwm.records.yamlio import YamlDoc

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "finite_number": "must be a finite number, not .nan or .inf",
}

# What a field of each kind must hold, in YAML's terms, for "must be X, not Y".
_EXPECTED = {
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "'name: value' lines",
    "model_type": "'name: value' lines",
    "model_attributes_type": "'name: value' lines",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "bool_as_number": "a number",
}

# Limits, worded from the numbers pydantic reports in the error's context.
_LIMITS = {
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "has {actual_length} items; at most {max_length} are allowed",
    "string_too_short": "is too short: at least {min_length} characters",
    "string_too_long": "is too long: at most {max_length} characters",
    "less_than_equal": "is too large: at most {le}",
    "less_than": "is too large: it must be below {lt}",
    "greater_than_equal": "is too small: at least {ge}",
    "greater_than": "is too small: it must be above {gt}",
}

# How to fix the common type errors, in the contributor's terms (YAML, not Python).
_HINTS = {
    "list_type": "write a list: one '- item' per line below the field",
    "dict_type": "write 'name: value' lines indented below the field",
    "model_type": "write 'name: value' lines indented below the field",
    "string_type": "quote it if YAML could read it as a number, or as true or false as it does yes, no, on and off",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "bool_as_number": "write the number; YAML reads yes, no, on and off as true and false",
    "too_short": "add at least one item",
    "too_long": "remove some items",
    "string_too_short": "write more; see docs/data-format.md",
    "string_too_long": "shorten it",
    "finite_number": "write the number the source reports",
    "less_than_equal": "check the number and its unit",
    "less_than": "check the number and its unit",
    "greater_than_equal": "check the number and its unit",
    "greater_than": "check the number and its unit",
}


def _found(value: object) -> str:
    """What a YAML value is, as its writer would say it."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "'name: value' lines"
    return "a value of another kind"


def _number(value: object) -> object:
    """A limit as a person writes it: 0, not 0.0; 10,000,000, not 10000000."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


def _message(kind: str, error: Any) -> str:
    """The project's wording for one pydantic error; pydantic's own only for the validators' messages."""
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, not {_found(error.get('input'))}"
    if kind in _LIMITS:
        try:
            return _LIMITS[kind].format(**{k: _number(v) for k, v in error.get("ctx", {}).items()})
        except (KeyError, IndexError, ValueError):
            return _LIMITS[kind].split(":")[0]
    # the models' own validators raise ValueError with a message already written for the contributor
    return str(error["msg"]).removeprefix("Value error, ")


def pydantic_problems(exc: ValidationError, model: type[BaseModel], path: str, doc: YamlDoc) -> list[Problem]:
    out = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        message = _message(kind, error)
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
