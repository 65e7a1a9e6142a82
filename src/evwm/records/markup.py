"""What the text fields may hold: the Markdown subset of summaries, mechanisms and node
descriptions, and the characters no field may hold.

The site shows these fields inside its own pages, so only inline Markdown is allowed: emphasis,
``code`` and links to http(s) URLs or to other entries. Block syntax would rearrange the page
(a second title, a table, an admonition) or fetch things from elsewhere (a remote image), so
each construct is refused with its name and what to write instead. docs/data-format.md lists
the same rules for contributors.
"""

from __future__ import annotations

import re
import unicodedata

# Links to another entry are written by id: [Self Forcing](self-forcing.md).
ENTRY_LINK = re.compile(r"^([a-z0-9][a-z0-9-]*)\.md(#[A-Za-z0-9_-]*)?$")
_HTTP = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)

_SENTENCES = "write it as plain sentences"
_BLOCK_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^ {0,3}(`{3,}|~{3,})"), "a code fence (``` or ~~~)", "put short code between single backticks"),
    (
        re.compile(r"^ {0,3}#(\s|$)"),
        "a second page title (# ...)",
        "the page already has the name as its title; " + _SENTENCES,
    ),
    (re.compile(r"^ {0,3}#{2,6}(\s|$)"), "a heading (## ...)", "the page's headings are generated; " + _SENTENCES),
    (re.compile(r"^ {0,3}(!!!|\?\?\?\+?)"), "an admonition (!!! or ???)", "write the note as a plain sentence"),
    (
        re.compile(r"^ {0,3}([-*_])( *\1){2,} *$"),
        "a horizontal rule (---, *** or ___)",
        "leave one blank line between paragraphs instead",
    ),
    (
        re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])(\s|$)"),
        "a list (- item or 1. item)",
        "write the items in one sentence, separated by commas or semicolons",
    ),
    (re.compile(r"^ {0,3}>"), "a block quote (> ...)", "quote inline, between quotation marks"),
    (
        # written so that no two quantifiers can share the same spaces: linear on any line
        re.compile(r"^[ \t]*\||^[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+(?:\|[ \t]*)?$"),
        "a table (| ... |)",
        "put numbers in claims:, and the rest in sentences",
    ),
    (
        re.compile(r"^( {4,}|\t)\S"),
        "an indented code block (a line starting with 4 spaces or a tab)",
        "start the line at the margin; put code between single backticks",
    ),
    (
        re.compile(r"^ {0,3}\[[^\]]+\]:\s"),
        "a link reference definition ([name]: url)",
        "write the link inline: [text](https://...)",
    ),
    (
        re.compile(r"^ {0,3}<(?!(https?|ftp|mailto):)[A-Za-z!?/]", re.I),
        "an HTML block (<...>)",
        "write plain text; use *emphasis* or `code`",
    ),
]
_SETEXT = re.compile(r"^ {0,3}(=+|-{1,2}) *$")  # longer dash lines are horizontal rules
_BACKTICKS = re.compile(r"`+")
_INLINE_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"!\[[^\]]*\]\(\s*https?:", re.I),
        "a remote image (![...](https://...))",
        "images would be fetched from another site when the page is read; link to it: [figure](https://...)",
    ),
    (
        re.compile(r"!\[[^\]]*\]"),
        "an image (![...](...))",
        "describe it in words, or link to it: [figure](https://...)",
    ),
    (re.compile(r"\[\^[^\]]*\]"), "a footnote ([^...])", "put the source in cites: or in a claim's source:"),
    (
        re.compile(r"\{\s*(:|[.#][A-Za-z_-]|[A-Za-z_-]+=)"),
        "an attribute list ({: ...})",
        "remove it; the site does the styling",
    ),
    (re.compile(r"<(https?|ftp|mailto):[^>]*>", re.I), "an autolink (<https://...>)", "write [text](https://...)"),
    (
        re.compile(r"<!--|<!\[CDATA\[|<![A-Za-z]|<\?|</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>", re.S),
        "inline HTML (<...>)",
        "write plain text; use *emphasis* or `code`",
    ),
]
_TARGET = re.compile(r"\s*<?([^\s>]*)")


def _link_targets(text: str) -> list[str]:
    """The target of every inline link ``[text](target "title")``, in order.

    Found with ``str.find`` from each '](' to the next ')': a text full of '](' costs a moment,
    where a regular expression would backtrack over it for seconds.
    """
    out = []
    at = text.find("](")
    while at >= 0:
        close = text.find(")", at + 2)
        if close < 0:
            break
        match = _TARGET.match(text, at + 2, close)
        out.append(match.group(1) if match else "")
        at = text.find("](", at + 2)
    return out


_RAW_SCHEME = re.compile(r"(?i)\b(javascript|data|vbscript|file):")


def _blank_code(text: str) -> str:
    """``text`` with the inside of every code span replaced by x's (same length).

    A code span opens with a run of backticks and closes at the next run of the same length,
    as in CommonMark. Found by pairing runs, not by a regular expression: a text of many
    backticks would make one backtrack for minutes.
    """
    if "`" not in text:  # most prose has no code: nothing to blank, and no scan of it
        return text
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    if len(runs) < 2:
        return text
    following: list[int] = [-1] * len(runs)  # the next run of the same length, by index
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        following[i] = last.get(length, -1)
        last[length] = i
    out, done, i = [], 0, 0
    while i < len(runs):
        j = following[i]
        if j < 0:
            i += 1
            continue
        out += [text[done : runs[i][1]], "x" * (runs[j][0] - runs[i][1])]
        done = runs[j][0]
        i = j + 1
    return "".join(out) + text[done:]


def markdown_problem(text: str) -> str:
    """Why ``text`` is outside the Markdown subset (the construct and what to write instead), or ''."""
    lines = text.split("\n")
    previous = ""
    for line in lines:
        if previous.strip() and _SETEXT.match(line):
            return "a heading (a line underlined with === or ---) is not allowed here (" + _SENTENCES + ")"
        for pattern, construct, hint in _BLOCK_RULES:
            if pattern.search(line):
                return f"{construct} is not allowed here ({hint})"
        previous = line
    # Inside `code` everything is shown as typed, so only the text around code spans is checked.
    outside_code = _blank_code(text)
    for pattern, construct, hint in _INLINE_RULES:
        if pattern.search(outside_code):
            return f"{construct} is not allowed here ({hint})"
    if _RAW_SCHEME.search(text):
        return "links may only point to http(s) URLs or to other entries (write [text](https://...) or [name](entry-id.md))"
    for target in _link_targets(outside_code):
        if not (_HTTP.match(target) or ENTRY_LINK.match(target) or re.fullmatch(r"#[A-Za-z0-9_-]+", target)):
            return (
                f"the link to '{target[:60]}' is not allowed: links may only point to http(s) URLs or to other "
                "entries (write [text](https://...) or [name](entry-id.md))"
            )
    return ""


def entry_links(text: str) -> list[str]:
    """The ids of the entries a text links to, in order, for cross-checks and the renderer."""
    if "](" not in text:  # no link at all, the usual case: every load asks this of every entry
        return []
    out = []
    for target in _link_targets(_blank_code(text)):
        found = ENTRY_LINK.match(target)
        if found:
            out.append(found.group(1))
    return out


# Bidirectional overrides and isolates: they make text display in another order than it is
# stored (and read), the "Trojan Source" trick.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = frozenset("\u2028\u2029\x85")
NONCHARACTERS = frozenset("\ufffe\uffff")


def bad_character(text: str, multiline: bool = True) -> str:
    """Why ``text`` holds a character no field may hold (a control or bidirectional character), or ''.

    Tab and newline are allowed (``multiline``: also U+2028/U+2029, which YAML reads as line breaks).
    """
    # Every character refused below is unprintable, so printable text (the usual case) needs no scan.
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return ""
    for ch in text:
        if ch in "\t\n":
            continue
        if ch in BIDI:
            return (
                f"holds the bidirectional control character U+{ord(ch):04X}, which makes text display "
                "in another order than it is read (delete it)"
            )
        if ch in "\u2028\u2029" and multiline:
            continue
        if ch in LINE_SEPARATORS:
            return f"holds the line separator U+{ord(ch):04X} (write it on one line, or use a plain space)"
        if ch in NONCHARACTERS:
            return f"holds U+{ord(ch):04X}, which is not a character (delete it)"
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"holds the control character U+{ord(ch):04X}, which is invisible (delete it)"
        if category == "Cs":
            return f"holds U+{ord(ch):04X}, half of a surrogate pair, which is not a character (write the character itself)"
    return ""


def character_kind(char: str) -> str:
    """What a refused character is, in words: 'control character', 'line separator', ..."""
    if char in BIDI:
        return "bidirectional control character"
    if char in LINE_SEPARATORS:
        return "line separator"
    if char in NONCHARACTERS:
        return "noncharacter"
    return "control character"
