"""The one BibTeX writer: field order, alignment and brace-delimited values for every record we write.

``evwm fmt`` and ``evwm new`` write source records with it (values as stored, UTF-8 kept); the
exporters write bibliographies with it (values encoded for classic bibtex by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

# Field order in every record we write; anything else follows alphabetically.
FIELD_ORDER = [
    "title",
    "author",
    "editor",
    "booktitle",
    "journal",
    "journaltitle",
    "volume",
    "number",
    "pages",
    "year",
    "date",
    "month",
    "publisher",
    "institution",
    "school",
    "doi",
    "eprint",
    "archiveprefix",
    "eprinttype",
    "primaryclass",
    "eprintclass",
    "url",
    "note",
]


def field_order(fields: Mapping[str, str]) -> list[str]:
    known = [f for f in FIELD_ORDER if f in fields]
    return known + sorted(f for f in fields if f not in FIELD_ORDER)


def write_record(
    entry_type: str, key: str, fields: Mapping[str, str], encode: Callable[[str], str] = lambda v: v
) -> str:
    """One ``@type{key, field = {value}, ...}`` record; white space inside values is folded."""
    names = field_order(fields)
    width = max((len(n) for n in names), default=0)
    body = ",\n".join(f"  {n.ljust(width)} = {{{encode(' '.join(fields[n].split()))}}}" for n in names)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


# Proper nouns that bibliography styles would lower-case in a title; acronyms, CamelCase and
# mixed letters-and-digits words are recognised by shape (see needs_protection).
PROPER_NOUNS = frozenset(
    [
        "Minecraft",
        "Atari",
        "Mamba",
        "Doom",
        "Unreal",
        "Gaussian",
        "Gaussians",
        "Bayesian",
        "Markov",
        "Fourier",
        "Euler",
        "Langevin",
        "Wasserstein",
        "Lipschitz",
        "Hessian",
        "Jacobian",
        "Hamiltonian",
        "Lagrangian",
        "Kalman",
        "Boltzmann",
        "Gibbs",
        "Monte",
        "Carlo",
        "English",
        "Chinese",
        "Wan",
        "Hunyuan",
        "Cosmos",
        "Genie",
        "Waymo",
        "Habitat",
        "Mario",
        "Pokemon",
        "Matrix",
        "Yume",
        "Seaweed",
        "Vista",
        "Epona",
        "Pandora",
        "Sora",
        "Veo",
        "Kling",
        "Gemini",
        "Llama",
    ]
)
_WORD = re.compile(r"[0-9]*[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")


@lru_cache(maxsize=65536)  # words recur across titles
def needs_protection(word: str) -> bool:
    """True for words a bibliography style would spoil by lower-casing: GAIA, Gen3C, Q-DiT, Minecraft."""
    parts = word.split("-")
    if any(sum(ch.isupper() for ch in p) >= 2 or (p[:1].islower() and any(ch.isupper() for ch in p)) for p in parts):
        return True  # acronyms and CamelCase: GAIA, TinyFusion, vDiT
    if any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word):
        return True  # Gen3C, SDXL1.0, 4D
    return any(p in PROPER_NOUNS for p in parts)


def unprotected_words(title: str) -> list[str]:
    """Words outside braces that a style would lower-case, in order (for `evwm validate`)."""
    out, depth, start = [], 0, 0
    outside = []
    for i, ch in enumerate(title):
        if ch == "{":
            if depth == 0:
                outside.append(title[start:i])
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
            if depth == 0:
                start = i + 1
    if depth == 0:
        outside.append(title[start:])
    for chunk in outside:
        chunk = re.sub(r"\\[A-Za-z]+", " ", chunk)
        out += [w for w in _WORD.findall(chunk) if needs_protection(w)]
    return out


@lru_cache(maxsize=65536)  # a title is exported once per page and download that lists it
def protect_title(title: str) -> str:
    """Braces around every word outside braces that a style would lower-case."""
    out, depth, i = [], 0, 0
    while i < len(title):
        ch = title[i]
        if ch == "\\" and i + 1 < len(title):  # keep commands and escapes whole
            j = i + 1
            while j < len(title) and title[j].isalpha():
                j += 1
            j = max(j, i + 2)
            out.append(title[i:j])
            i = j
            continue
        if ch in "{}":
            depth += 1 if ch == "{" else -1
            out.append(ch)
            i += 1
            continue
        match = _WORD.match(title, i) if depth == 0 and (i == 0 or not title[i - 1].isalnum()) else None
        if match:
            word = match.group(0)
            out.append("{" + word + "}" if needs_protection(word) else word)
            i = match.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)
