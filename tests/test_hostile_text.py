"""Text fields render as text: the Markdown subset, refused characters and reserved ids, checked
on the models (fast) and through the commands (the messages a contributor sees)."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from pydantic import ValidationError

from conftest import bib_record
from evwm.cli import main
from evwm.records.canonical import dump_entry
from evwm.records.markup import entry_links, markdown_problem
from evwm.records.models import RESERVED_IDS, Entry, TaxonomyNode
from evwm.records.validation import pydantic_problems
from evwm.records.yamlio import YamlDoc, parse_yaml

GOOD = "A method that makes video diffusion models faster to sample, by a wide margin."
BASE = {
    "id": "some-entry",
    "name": "Some Entry",
    "categories": ["inference/caching"],
    "cites": ["doe2024fast"],
    "summary": GOOD,
    "mechanism": GOOD,
    "training": "training-free",
}


def entry(**fields: object) -> Entry:
    return Entry.model_validate({**BASE, **fields})


def refusal(**fields: object) -> str:
    """What `evwm validate` says of the entry, without its file and line."""
    with pytest.raises(ValidationError) as info:
        entry(**fields)
    problems = pydantic_problems(info.value, Entry, "entries/x.yaml", YamlDoc({}))
    return "\n".join(p.format().removeprefix("entries/x.yaml:1: ") for p in problems)


def run(root, *args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


# (text, the construct named in the message, a word of what to write instead)
BLOCKS = [
    ("# A second title\n\n" + GOOD, "a second page title (# ...)", "plain sentences"),
    (GOOD + "\n\n## Results\n\nIt is fast.", "a heading (## ...)", "plain sentences"),
    (GOOD + "\n\nResults\n=======", "a heading (a line underlined with === or ---)", "plain sentences"),
    (GOOD + "\n\n- one\n- two", "a list (- item or 1. item)", "one sentence"),
    (GOOD + "\n\n* one\n* two", "a list (- item or 1. item)", "one sentence"),
    (GOOD + "\n\n1. one\n2. two", "a list (- item or 1. item)", "one sentence"),
    (GOOD + "\n\n> quoted from the paper", "a block quote (> ...)", "quotation marks"),
    (GOOD + "\n\n| a | b |\n| --- | --- |\n| 1 | 2 |", "a table (| ... |)", "claims:"),
    (GOOD + "\n\n```python\nprint(1)\n```", "a code fence (``` or ~~~)", "single backticks"),
    (GOOD + "\n\n```\nnever closed", "a code fence (``` or ~~~)", "single backticks"),
    (GOOD + "\n\n~~~\nnever closed", "a code fence (``` or ~~~)", "single backticks"),
    (GOOD + "\n\n    indented = code", "an indented code block", "margin"),
    (GOOD + "\n\n\tindented = code", "an indented code block", "margin"),
    (GOOD + "\n\n---\n\nMore.", "a horizontal rule (---, *** or ___)", "blank line"),
    (GOOD + "\n\n***", "a horizontal rule (---, *** or ___)", "blank line"),
    (GOOD + '\n\n!!! warning "Read this"\n    Now.', "an admonition (!!! or ???)", "plain sentence"),
    (GOOD + "\n\n???+ note\n    Folded.", "an admonition (!!! or ???)", "plain sentence"),
    (GOOD + "\n\n<div onclick=alert(1)>x</div>", "an HTML block (<...>)", "*emphasis*"),
    (GOOD + "\n\n<!-- hidden -->", "an HTML block (<...>)", "*emphasis*"),
    (GOOD + " <script>alert(1)</script>", "inline HTML (<...>)", "*emphasis*"),
    (GOOD + " <b>bold</b>", "inline HTML (<...>)", "*emphasis*"),
    (GOOD + " ![chart](https://example.org/c.png)", "a remote image (![...](https://...))", "link to it"),
    (GOOD + " ![chart](chart.png)", "an image (![...](...))", "link to it"),
    (GOOD + " It is fast.[^1]", "a footnote ([^...])", "cites:"),
    (GOOD + "\n\nAside.\n{: .big }", "an attribute list ({: ...})", "remove it"),
    (GOOD + " Big { .class } text", "an attribute list ({: ...})", "remove it"),
    (GOOD + "\n\n[paper]: https://example.org", "a link reference definition ([name]: url)", "inline"),
    (GOOD + " See <https://example.org>.", "an autolink (<https://...>)", "[text](https://...)"),
    (GOOD + " [Click](javascript:alert(1))", "links may only point to http(s) URLs or to other entries", "entry-id.md"),
    (GOOD + " [x](data:text/html,hi)", "links may only point to http(s) URLs or to other entries", "entry-id.md"),
    (GOOD + " [x](ftp://example.org/f)", "the link to 'ftp://example.org/f' is not allowed", "entry-id.md"),
    (GOOD + " [x](../../etc/passwd)", "the link to '../../etc/passwd' is not allowed", "entry-id.md"),
]


@pytest.mark.parametrize(("text", "construct", "instead"), BLOCKS)
def test_block_syntax_is_refused_with_its_name_and_what_to_write(text, construct, instead):
    for field in ("summary", "mechanism"):
        message = refusal(**{field: text})
        assert message.startswith(f"{field}: {construct}"), message
        assert instead in message
    node = {"id": "inference", "name": "Inference", "order": 1, "description": (GOOD + " ") * 6 + "\n\n" + text}
    with pytest.raises(ValidationError, match=re.escape(construct)):
        TaxonomyNode.model_validate(node)


@pytest.mark.parametrize(
    "text",
    [
        GOOD + " It is *much* faster and **cheaper**, using `torch.compile` and `<think>` tokens.",
        GOOD + " See [the code](https://github.com/example/x) and [Self Forcing](self-forcing.md).",
        GOOD + " Latency < 50 ms, a > b, 2 * 3 = 6, sets {1, 2}, a | b, #1 of 3, ~10x.",
        GOOD + "\n\nA second paragraph, 1.5x faster; a - b.",
        GOOD + " [the method section](#method) and [a section](self-forcing.md#results).",
    ],
)
def test_the_markdown_subset_is_accepted(text):
    assert markdown_problem(text) == ""
    assert entry(summary=text).summary == text


def test_links_to_entries_are_listed_for_cross_checks():
    text = "Like [A](self-forcing.md), not `[B](b.md)`, and [C](https://x.org) or [D](causvid.md#x)."
    assert entry_links(text) == ["self-forcing", "causvid"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Safe \u202egnp.exe", "holds the bidirectional control character U+202E"),
        ("Isolate \u2066x\u2069", "holds the bidirectional control character U+2066"),
        ("Bell\x07", "holds the control character U+0007, which is invisible"),
        ("Escape\x1b[31m", "holds the control character U+001B"),
        ("C1\x9b", "holds the control character U+009B"),
        ("Next\x85Line", "holds the line separator U+0085"),
        ("Line\u2028Separator", "holds the line separator U+2028"),
        ("Para\u2029Separator", "holds the line separator U+2029"),
    ],
)
def test_hidden_characters_are_refused_in_one_line_fields(value, message):
    assert message in refusal(name=value)
    claim = {"metric": "speedup", "value": 2, "unit": "x", "baseline": value, "source": "Table 1"}
    assert message in refusal(claims=[claim])


def test_line_separators_may_stay_in_prose_but_controls_may_not():
    assert entry(summary=GOOD + "\u2028Second line.").summary.endswith("\u2028Second line.")
    assert "U+202E" in refusal(summary=GOOD + " \u202e")
    assert "U+0085" in refusal(mechanism=GOOD + "\x85More.")
    assert "U+0000" in refusal(mechanism=GOOD + "\x00")


@pytest.mark.parametrize("reserved", sorted(RESERVED_IDS))
def test_reserved_entry_ids_are_refused(reserved):
    assert f"id: '{reserved}' is reserved: the site has a page or folder of that name" in refusal(id=reserved)


def test_node_ids_that_would_share_a_download_file_are_refused():
    base = {"name": "N", "order": 1, "description": (GOOD + " ") * 7}
    with pytest.raises(ValidationError, match="'--' is not allowed in node ids"):
        TaxonomyNode.model_validate({**base, "id": "inference--caching"})
    with pytest.raises(ValidationError, match="'evwm' is reserved for the site's own downloads"):
        TaxonomyNode.model_validate({**base, "id": "evwm"})


def test_a_summary_holding_u2028_survives_fmt(sample):
    """The escaped separator is kept: fmt writes it escaped, and the entry reads back the same."""
    path = sample.root / "entries/main/fast-cache.yaml"
    text = path.read_text().replace("summary: A method", 'summary: "First line.\\u2028A method') + ""
    text = text.replace("faster to sample.", 'faster to sample."')
    path.write_text(text)
    (sample.root / "vocab/base-models.yaml").write_text("[]\n")
    code, out = run(sample.root, "validate")
    assert code == 0, out
    before = Entry.model_validate(parse_yaml(path.read_text()).data)
    assert "\u2028" in before.summary
    assert run(sample.root, "fmt")[0] == 0
    written = path.read_text()
    assert "\\u2028" in written and "\u2028" not in written  # escaped, never raw
    assert Entry.model_validate(parse_yaml(written).data) == before
    assert dump_entry(before) == written
    assert run(sample.root, "fmt") == (0, "all files are in canonical form\n")


def test_raw_line_separators_are_reported_at_the_line_an_editor_shows(sample):
    (sample.root / "vocab/base-models.yaml").write_text("[]\n")
    path = sample.root / "entries/main/fast-cache.yaml"
    lines = path.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    lines[number] = lines[number].replace("A method", "A\u2028method")
    path.write_text("".join(lines))
    before = path.read_bytes()
    code, out = run(sample.root, "validate")
    assert code == 1
    assert (
        f"entries/main/fast-cache.yaml:{number + 1}: holds the line separator U+2028, which editors do not show "
        "(delete it, or replace it with a space)"
    ) in out
    assert run(sample.root, "fmt")[0] == 1 and path.read_bytes() == before


def test_code_spans_show_what_was_typed():
    import markdown

    from evwm.site.render import md

    html = markdown.markdown(md("It emits `<think>` tokens and `{: x}` markers."))
    assert "<code>&lt;think&gt;</code>" in html and "<code>{: x}</code>" in html


def test_a_link_to_an_unknown_entry_is_an_error(sample):
    (sample.root / "vocab/base-models.yaml").write_text("[]\n")
    sample.bib(bib_record("linker2025x", "A Linking Paper", eprint="2509.00066"), name="linker")
    sample.entry("linker", cites=["linker2025x"], summary=GOOD + " Like [Nothing](no-such-entry.md).")
    code, out = run(sample.root, "validate")
    assert code == 1 and "entries/main/linker.yaml:" in out and "no-such-entry" in out


def test_a_node_description_may_link_to_an_entry(sample, tmp_path):
    (sample.root / "vocab/base-models.yaml").write_text("[]\n")
    text = (sample.root / "taxonomy/inference/caching.yaml").read_text()
    linked = text.replace("This node groups", "See [Fast Cache](fast-cache.md). This node groups", 1)
    assert linked != text
    (sample.root / "taxonomy/inference/caching.yaml").write_text(linked)
    code, out = run(sample.root, "build", "--site-dir", str(tmp_path / "site"))
    assert code == 0, out
    page = (tmp_path / "site/taxonomy/inference/caching/index.html").read_text()
    assert 'href="../../../entries/fast-cache/"' in page


@pytest.mark.parametrize("unit", ["`", "``a", "](", "](<", "<a ", "![", "[^", "{ ", " ", "|-", "- ", "=", "\t"])
def test_text_checks_take_linear_time(unit):
    """The longest text a field holds, made of what makes regular expressions backtrack."""
    import time

    for text in (unit * (6000 // len(unit)), "a\n" + unit * (6000 // len(unit)) + "x"):
        start = time.monotonic()
        markdown_problem(text)
        entry_links(text)
        assert time.monotonic() - start < 0.5, repr(text[:20])
