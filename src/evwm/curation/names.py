"""Author names as the arXiv API writes them ('Given Family') turned into unambiguous BibTeX names.

BibTeX splits 'Haitam Ben Yahia' into given 'Haitam Ben' and family 'Yahia', and 'Team Wan'
into a person called Wan; written 'Family, Given' (multi-word families and corporate names in
braces) every tool reads them as the paper means them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


# Lower-case or capitalised words that start a family name ('van Gogh', 'Ben Yahia', 'de la Cruz').
PARTICLES = frozenset(
    _words("van von de di da del della der den des du le la las los dos das bin ben ibn al el ter ten zu")
)
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# A word at either end of the name that marks an organisation: 'Team Wan', 'Wan Team', 'Kling AI'.
CORPORATE_WORDS = frozenset(
    _words(
        "team teams lab labs laboratory group inc inc. ltd ltd. llc corp corp. corporation research consortium collaboration project committee foundation institute university studio studios"
    )
)
# Organisations that sign papers under their bare name.
ORGANISATIONS = frozenset(
    _words(
        "nvidia openai deepmind google meta microsoft bytedance alibaba tencent kuaishou baidu huawei apple amazon runway lightricks anthropic stability"
    )
)


@dataclass(frozen=True)
class BibName:
    family: str  # as written in BibTeX, braces included when needed
    given: str = ""
    suffix: str = ""
    corporate: bool = False

    @property
    def bibtex(self) -> str:
        if self.corporate or not self.given:
            return self.family
        tail = f", {self.suffix}" if self.suffix else ""
        return f"{self.family}{tail}, {self.given}"

    @property
    def key_part(self) -> str:
        """The family name as plain lower-case letters, for citation keys."""
        return re.sub(r"[^a-z]", "", self.family.lower())


def is_corporate(words: list[str]) -> bool:
    if len(words) == 1:
        return True  # 'NVIDIA', 'OpenAI': arXiv has no single-word persons
    ends = {words[0].lower(), words[-1].lower()}
    # 'AI' only in capitals: Ai is also a family name ('Qing Ai')
    return (
        bool(ends & CORPORATE_WORDS) or "AI" in (words[0], words[-1]) or any(w.lower() in ORGANISATIONS for w in words)
    )


def bibtex_name(name: str) -> BibName:
    """'Haitam Ben Yahia' -> '{Ben Yahia}, Haitam'; 'Team Wan' -> '{Team Wan}'; braced names stay."""
    name = " ".join(name.split())
    if not name:
        return BibName("{Anonymous}", corporate=True)
    if (name.startswith("{") and name.endswith("}")) or "," in name:
        # already in BibTeX's own form ('{Team Wan}', 'Huang, Xun'): the writer meant it
        family = name.split(",")[0].strip()
        given = name.split(",", 1)[1].strip() if "," in name else ""
        return BibName(family, given, corporate=not given)
    words = name.split(" ")
    if is_corporate(words):
        return BibName("{" + name + "}", corporate=True)
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix, words = words[-1], words[:-1]
    # the family starts at the first particle after the first given name, else it is the last word
    start = next(
        (i for i in range(1, len(words) - 1) if words[i].lower() in PARTICLES),
        len(words) - 1,
    )
    family_words, given = words[start:], " ".join(words[:start])
    if len(family_words) == 1:
        family = family_words[0]
    elif family_words[0].islower():
        family = " ".join(family_words)  # 'van der Berg': BibTeX's von part reads it right unbraced
    else:
        family = "{" + " ".join(family_words) + "}"  # 'Ben Yahia' would otherwise lose 'Ben' to the given name
    return BibName(family, given, suffix)


def bibtex_authors(names: list[str]) -> str:
    return " and ".join(bibtex_name(n).bibtex for n in names)
