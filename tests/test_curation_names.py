"""Author names as the arXiv API writes them, turned into BibTeX that every tool reads the same way."""

from __future__ import annotations

import pytest

from evwm.curation.arxiv import ArxivPaper
from evwm.curation.names import bibtex_name
from evwm.curation.scaffold import bibtex_from_arxiv
from evwm.records.bib import parse_bib


@pytest.mark.parametrize(
    "written, bibtex",
    [
        ("Xun Huang", "Huang, Xun"),
        ("Ben Mildenhall", "Mildenhall, Ben"),  # a given name that looks like a particle
        ("Haitam Ben Yahia", "{Ben Yahia}, Haitam"),
        ("Luca Di Giammarino", "{Di Giammarino}, Luca"),
        ("Vincent van Gogh", "van Gogh, Vincent"),
        ("Jan van der Berg", "van der Berg, Jan"),
        ("Ludwig von Beethoven", "von Beethoven, Ludwig"),
        ("Cesar de la Fuente-Nunez", "de la Fuente-Nunez, Cesar"),
        ("Abdullah bin Ahmad", "bin Ahmad, Abdullah"),
        ("Juan Carlos da Silva", "da Silva, Juan Carlos"),
        ("Marie Le Pen", "{Le Pen}, Marie"),
        ("John Smith Jr.", "Smith, Jr., John"),
        ("Qing Ai", "Ai, Qing"),  # Ai is a family name, not 'AI'
        ("Team Wan", "{Team Wan}"),
        ("Wan Team", "{Wan Team}"),
        ("NVIDIA", "{NVIDIA}"),
        ("Kling AI", "{Kling AI}"),
        ("Google DeepMind", "{Google DeepMind}"),
        ("Genie Research Lab", "{Genie Research Lab}"),
        ("Seed Group", "{Seed Group}"),
        ("Example Inc", "{Example Inc}"),
        ("{Team Wan}", "{Team Wan}"),  # already braced: kept as written
        ("{Ben Yahia}, Haitam", "{Ben Yahia}, Haitam"),
        ("Huang, Xun", "Huang, Xun"),
        ("  Xun   Huang ", "Huang, Xun"),
    ],
)
def test_names(written, bibtex):
    assert bibtex_name(written).bibtex == bibtex


def test_bibtex_reads_the_names_back_as_meant():
    paper = ArxivPaper(
        "2412.07583",
        "Mobile Video Diffusion",
        ["Haitam Ben Yahia", "Vincent van Gogh", "Team Wan", "John Smith Jr."],
        2024,
    )
    text = bibtex_from_arxiv(paper)
    assert text.startswith("@misc{benyahia2024mobile,")
    (cit,), problems = parse_bib(text, "x.bib")
    assert not problems
    people = [(p.given, p.von, p.family, p.suffix, p.literal) for p in cit.authors]
    assert people == [
        ("Haitam", "", "Ben Yahia", "", False),
        ("Vincent", "van", "Gogh", "", False),
        ("", "", "Team Wan", "", True),
        ("John", "", "Smith", "Jr.", False),
    ]


def test_a_corporate_first_author_makes_a_readable_key():
    text = bibtex_from_arxiv(ArxivPaper("2503.20314", "Wan: Open Video Models", ["Team Wan", "Ang Wang"], 2025))
    assert text.startswith("@misc{teamwan2025wan,") and "{Team Wan} and Wang, Ang" in text
