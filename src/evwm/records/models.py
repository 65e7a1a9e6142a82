"""Typed records for taxonomy nodes and entries (pydantic v2).

Bibliographic facts are deliberately absent: they live only in BibTeX (see ``bib.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from evwm.records.markup import bad_character, markdown_problem

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$"
CITE_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_:.+-]*$"

# Names the site uses for its own pages and folders (entries/index.md is the year index; the
# rest are top-level pages, folders and files the site has or will have). An entry id is a
# file name under entries/ and a URL, so it must not take one of them. The site imports this list.
RESERVED_IDS = frozenset(
    {
        "index",
        "404",
        "about",
        "assets",
        "authors",
        "base-models",
        "bibliography",
        "contributing",
        "data-format",
        "downloads",
        "entries",
        "feed",
        "numbers",
        "schemas",
        "search",
        "sitemap",
        "survey",
        "tags",
        "taxonomy",
        "venues",
        "whats-new",
        "years",
    }
)
# The file of the whole knowledge base's BibTeX, downloads/evwm.bib, beside one file per node.
RESERVED_NODE_IDS = frozenset({"evwm"})


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _safe_markdown(value: str) -> str:
    problem = bad_character(value, multiline=True) or markdown_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _one_line(value: str) -> str:
    problem = bad_character(value, multiline=False)
    if problem:
        raise ValueError(problem)
    return value


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise ValueError(
            f"'{value}' is reserved: the site has a page or folder of that name "
            f"(choose another id, such as '{value}-method', and rename the file to match)"
        )
    return value


def _node_id_free(value: str) -> str:
    if value in RESERVED_NODE_IDS:
        raise ValueError(f"'{value}' is reserved for the site's own downloads (choose another id)")
    if "--" in value:
        raise ValueError(
            "'--' is not allowed in node ids: the download files join levels with it (use a single hyphen)"
        )
    return value


def _no_placeholder(value: str) -> str:
    if "TODO" in value:
        raise ValueError("still holds a TODO placeholder; write it in your own words")
    return value


def _words_at_least(n: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        count = len(value.split())
        if count < n:
            raise ValueError(f"has {count} words; at least {n} are needed")
        return value

    return check


def _whole_item(value: str) -> str:
    # A list written as one string and split at commas cuts "Stable Diffusion (v1.5, v2.1)" in two.
    if value.count("(") != value.count(")") or value.count("[") != value.count("]"):
        raise ValueError("has unbalanced parentheses: was a list item cut at a comma inside them?")
    return value


def _no_duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"'{v}' is listed twice")
        seen.add(v)
    return values


def refuse_bool(value: object) -> object:
    """Refuse true/false where a number belongs: YAML reads yes, no, on and off as true and false,
    which pydantic would otherwise take as 1 and 0."""
    if isinstance(value, bool):
        raise PydanticCustomError("bool_as_number", "a number, not true or false")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(_one_line)]
Slug = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
NodeId = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN, max_length=120)]
CiteKey = Annotated[str, StringConstraints(pattern=CITE_KEY_PATTERN, max_length=80)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_http_url)]
Prose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=40, max_length=2000),
    AfterValidator(_safe_markdown),
    AfterValidator(_no_placeholder),
]


class Strict(BaseModel):
    # Unknown fields are errors so that a misspelt key never silently disappears. The validators
    # are built when first needed: a run that finds every record in the cache never needs them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Training(str, Enum):
    TRAINING_FREE = "training-free"
    FINE_TUNING = "fine-tuning"
    FROM_SCRATCH = "from-scratch"
    # The source does not say; better than a guess, and shown as such on the site.
    NOT_STATED = "not-stated"
    # A benchmark, metric or study proposes no generator, so "training-free" would say too much.
    NOT_APPLICABLE = "not-applicable"


class RelationType(str, Enum):
    BUILDS_ON = "builds-on"
    COMPARES_WITH = "compares-with"
    COMBINES_WITH = "combines-with"
    USES = "uses"
    SUCCESSOR_OF = "successor-of"

    @property
    def label(self) -> str:
        """How the relation reads on the declaring entry's page: "this entry <label> target"."""
        return _RELATION_LABELS[self.value][0]

    @property
    def inverse_label(self) -> str:
        """How it reads on the target's page: "target <inverse label> this entry"."""
        return _RELATION_LABELS[self.value][1]


_RELATION_LABELS = {
    "builds-on": ("builds on", "is built on by"),
    "compares-with": ("compares with", "is compared against by"),
    "combines-with": ("combines with", "is combined with"),
    "uses": ("uses", "is used by"),
    "successor-of": ("succeeds", "is succeeded by"),
}


SurveySection = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^(I|II|III|IV|V|VI|VII|VIII)(\.[A-Z](\.[1-9])?)?$", max_length=20
    ),
]


class NodeSurvey(Strict):
    section: SurveySection = Field(description="The survey's section number, e.g. 'IV.B.2'.")
    heading: Text = Field(description="The section's heading as the survey prints it.")


class Passage(Strict):
    section: SurveySection = Field(description="A survey section this page draws on, e.g. 'III.C'.")
    note: Text = Field(description="What that passage argues, in your own words.")


class TaxonomyNode(Strict):
    id: Annotated[NodeId, AfterValidator(_node_id_free)] = Field(
        description="Path-like id such as 'inference/caching'; the parent is implied."
    )
    name: Text = Field(description="Display name.")
    order: Annotated[int, BeforeValidator(refuse_bool)] = Field(
        ge=0, le=1000, description="Position among siblings, smaller first."
    )
    survey: NodeSurvey | None = Field(
        None, description="The survey section this node mirrors; absent for evwm's own nodes."
    )
    formerly: Annotated[list[NodeId], AfterValidator(_no_duplicates)] = Field(
        default_factory=list, max_length=10, description="Old ids of this node; their URLs redirect here."
    )
    draws_on: list[Passage] = Field(
        default_factory=list, max_length=12, description="Survey passages a discussion or frontier page draws on."
    )
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=6000),
        AfterValidator(_words_at_least(80)),
        AfterValidator(_safe_markdown),
    ] = Field(description="Markdown in your own words: the cost attacked, how, the trade-off, neighbours.")

    @property
    def parent_id(self) -> str | None:
        return self.id.rsplit("/", 1)[0] if "/" in self.id else None

    @property
    def depth(self) -> int:
        return self.id.count("/")


class Scope(str, Enum):
    END_TO_END = "end-to-end"
    DENOISER = "denoiser"
    ATTENTION = "attention"
    KERNEL = "kernel"
    DECODER = "decoder"
    TRAINING = "training"


# what a paper reports (a speed-up, a latency, a score) is never below zero; a drop goes in quality
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12), BeforeValidator(refuse_bool)]
Reported = Annotated[float, Field(allow_inf_nan=False, ge=0, le=1e12), BeforeValidator(refuse_bool)]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), AfterValidator(_one_line)]


class Quality(Strict):
    """The quality cost reported beside a speed-up: a score, its baseline, or the change."""

    metric: Slug = Field(description="A quality metric from vocab/metrics.yaml (vbench, fvd, fid, ...).")
    value: Number | None = Field(None, description="The method's score.")
    baseline_value: Number | None = Field(None, description="The baseline's score.")
    change: Number | None = Field(None, description="Signed change against the baseline, in 'unit'.")
    unit: Unit | None = Field(None, description="Unit of value/change; the metric's canonical unit if omitted.")

    @model_validator(mode="after")
    def _something_reported(self) -> Quality:
        if self.value is None and self.change is None:
            raise ValueError("give 'value' (with 'baseline_value' where known) or 'change'")
        return self


class Claim(Strict):
    metric: Slug = Field(description="A metric id from vocab/metrics.yaml (speedup, latency, throughput, ...).")
    value: Reported = Field(description="The reported number.")
    unit: Unit = Field(description="One of the metric's units in vocab/metrics.yaml (x, s, fps, steps, GB, ...).")
    scope: Scope | None = Field(None, description="What the number covers (end-to-end, attention, ...).")
    baseline: Text = Field(description="What the number is compared with.")
    base_model: Text | None = Field(None, description="The model measured, a name in vocab/base-models.yaml.")
    hardware: Slug | None = Field(None, description="A device id from vocab/hardware.yaml.")
    gpus: Annotated[int, Field(ge=1, le=100000), BeforeValidator(refuse_bool)] | None = Field(
        None, description="How many devices."
    )
    resolution: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_one_line)] | None
    ) = None
    frames: Annotated[int, Field(ge=1, le=10000000), BeforeValidator(refuse_bool)] | None = None
    quality: Quality | None = Field(None, description="The quality change beside the speed.")
    setting: Text | None = Field(None, description="Task, model size, bit width, ...")
    source: Text = Field(description="Where in the source: Abstract, Table 2, Sec. 4.1, Fig. 1, README.")
    cite: CiteKey | None = Field(
        None,
        description="BibTeX key of the source when it is not the entry's own paper (for example the survey's table).",
    )

    @property
    def display_value(self) -> str:
        number = f"{self.value:g}"
        if self.unit in ("x", "×"):
            return f"{number}×"
        if self.unit == "%":
            return f"{number}%"
        return f"{number} {self.unit}"


class Links(Strict):
    code: Url | None = None
    project: Url | None = None
    weights: Url | None = None


class Relation(Strict):
    type: RelationType
    target: Slug
    note: Text | None = None


class EntrySurvey(Strict):
    refs: Annotated[
        list[Annotated[int, Field(ge=1, le=10000), BeforeValidator(refuse_bool)]], AfterValidator(_no_duplicates)
    ] = Field(min_length=1, max_length=40, description="The survey's reference numbers for this work.")


class Entry(Strict):
    id: Annotated[Slug, AfterValidator(_not_reserved)] = Field(description="Equals the file name without .yaml.")
    name: Text
    categories: Annotated[list[NodeId], AfterValidator(_no_duplicates)] = Field(
        min_length=1, max_length=10, description="Taxonomy node ids; the first is the primary placement."
    )
    applications: Annotated[list[Slug], AfterValidator(_no_duplicates)] = Field(
        default_factory=list, max_length=5, description="Slugs of nodes under applications/."
    )
    cites: Annotated[list[CiteKey], AfterValidator(_no_duplicates)] = Field(
        min_length=1, max_length=20, description="BibTeX keys; the first is the entry's own paper."
    )
    summary: Prose
    mechanism: Prose
    training: Training
    base_models: list[
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
            AfterValidator(_one_line),
            AfterValidator(_whole_item),
        ]
    ] = Field(default_factory=list, max_length=20)
    claims: list[Claim] = Field(default_factory=list, max_length=60)
    links: Links = Field(default_factory=Links)
    tags: Annotated[list[Slug], AfterValidator(_no_duplicates)] = Field(default_factory=list, max_length=20)
    relations: list[Relation] = Field(default_factory=list, max_length=60)
    survey: EntrySurvey | None = Field(None, description="Where the survey cites this work.")

    @model_validator(mode="after")
    def _relations_unique(self) -> Entry:
        seen = set()
        for rel in self.relations:
            if (rel.type, rel.target) in seen:
                raise ValueError(f"relation {rel.type.value} -> {rel.target} is listed twice")
            seen.add((rel.type, rel.target))
        return self

    @property
    def primary_category(self) -> str:
        return self.categories[0]

    @property
    def primary_cite(self) -> str:
        return self.cites[0]
