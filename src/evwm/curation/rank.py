"""Which taxonomy node a paper most likely belongs to, learned from the knowledge base's own entries.

A small TF-IDF model in pure Python: each entry is a document (name, title, summary, mechanism,
tags); a paper's text is scored against each primary node (the centroid of its entries plus the
node's own name and description) and against its nearest entries, and both votes are mixed. With
a few hundred entries this is fast, needs no dependency, and every score can be explained by the
terms that produced it (shown as evidence).
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from evwm.kb import KnowledgeBase
from evwm.records.models import Entry

Vector = dict[str, float]

# Words that say nothing about a method (English function words and the boilerplate of abstracts).
_STOP_TEXT = (
    "a about above across after again against all also an and any are as at be been before being below "
    "between both but by can could did do does doing during each few for from further had has have having "
    "here how i if in into is it its itself just more most new no nor not of off on once only or other "
    "our out over own same she should so some such than that the their them then there these they this "
    "those through to too under until up very via was we were what when where which while who whom why "
    "will with within without would you your yet one two three using use used based show shows shown "
    "propose proposed proposes method methods approach approaches paper work results result achieve "
    "achieves achieving existing state art novel framework model models however thus significantly "
    "enables enable enabling first make makes making well per instead rather"
)
STOPWORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    # enough folding for titles and summaries: 'models' ~ 'model', 'caches' ~ 'cache'
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Words and neighbouring word pairs ('sparse attention') of a text, stop words left out."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [_stem(w) for w in _WORD.findall(plain) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def entry_text(kb: KnowledgeBase, entry: Entry) -> str:
    cit = kb.citation(entry)
    tags = " ".join(t.replace("-", " ") for t in entry.tags)
    # name and tags repeated: they are the curators' own words for what the entry is about
    return " ".join([entry.name, entry.name, cit.title if cit else "", entry.summary, entry.mechanism, tags, tags])


def _norm(vec: Vector) -> Vector:
    length = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / length for t, w in vec.items()} if length else {}


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


@dataclass(frozen=True)
class Suggestion:
    node: str
    score: float
    terms: list[str]  # the terms that weigh most in this node's score


@dataclass(frozen=True)
class Neighbour:
    entry_id: str
    name: str
    node: str
    score: float


@dataclass(frozen=True)
class Ranking:
    suggestions: list[Suggestion]
    neighbours: list[Neighbour]

    @property
    def similarity(self) -> float:
        """Cosine similarity to the nearest entry: how in-scope the paper looks (0 to 1)."""
        return self.neighbours[0].score if self.neighbours else 0.0


class Ranker:
    K = 7  # neighbours that vote
    CENTROID_WEIGHT = 0.5  # share of the centroid vote against the neighbours' vote

    def __init__(self, docs: dict[str, str], primary: dict[str, str], names: dict[str, str], nodes: dict[str, str]):
        """``docs``/``primary``/``names`` by entry id; ``nodes``: node id -> its own text."""
        counts = {k: Counter(tokens(t)) for k, t in docs.items()}
        node_counts = {n: Counter(tokens(t)) for n, t in nodes.items()}
        df: Counter[str] = Counter()
        for c in [*counts.values(), *node_counts.values()]:
            df.update(c.keys())
        total = len(counts) + len(node_counts)
        self.idf = {t: math.log((1 + total) / (1 + n)) + 1.0 for t, n in df.items()}
        self.vectors = {k: self._weigh(c) for k, c in counts.items()}
        self.primary = primary
        self.names = names
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for key, vec in self.vectors.items():
            for term, weight in vec.items():
                self.postings[term].append((key, weight))
        # a centroid is kept as an unnormalised sum, so one member can be taken out (leave-one-out)
        self.sums: dict[str, Vector] = {}
        for node in sorted(set(primary.values())):
            self.sums[node] = dict(self._weigh(node_counts.get(node, Counter())))
        for key, vec in self.vectors.items():
            acc = self.sums[primary[key]]
            for term, weight in vec.items():
                acc[term] = acc.get(term, 0.0) + weight
        self.centroids = {node: _norm(acc) for node, acc in self.sums.items()}

    def _weigh(self, counts: Counter[str]) -> Vector:
        return _norm({t: (1 + math.log(n)) * self.idf.get(t, 0.0) for t, n in counts.items()})

    @classmethod
    def from_kb(cls, kb: KnowledgeBase) -> Ranker:
        entries = kb.entries
        nodes = {
            n: f"{node.name} {node.name} {node.description}"
            for n, node in kb.nodes.items()
            if any(e.primary_category == n for e in entries.values())
        }
        return cls(
            {k: entry_text(kb, e) for k, e in entries.items()},
            {k: e.primary_category for k, e in entries.items()},
            {k: e.name for k, e in entries.items()},
            nodes,
        )

    def vector(self, text: str) -> Vector:
        return self._weigh(Counter(tokens(text)))

    def rank(self, text: str, top: int = 3, exclude: str | None = None) -> Ranking:
        return self.rank_vector(self.vector(text), top, exclude)

    def rank_vector(self, query: Vector, top: int = 3, exclude: str | None = None) -> Ranking:
        """Nodes and nearest entries for a query; ``exclude`` leaves one entry out (for benchmarks)."""
        sims: dict[str, float] = defaultdict(float)
        for term, weight in query.items():
            for key, w in self.postings.get(term, ()):
                sims[key] += weight * w
        sims.pop(exclude or "", None)
        nearest = sorted(sims.items(), key=lambda kv: (-kv[1], kv[0]))[: self.K]
        votes: dict[str, float] = defaultdict(float)
        for key, sim in nearest:
            votes[self.primary[key]] += sim
        vote_total = sum(votes.values()) or 1.0
        centroids = self.centroids
        if exclude in self.vectors:
            node, skip = self.primary[exclude], self.vectors[exclude]
            centroids = {**centroids, node: _norm({t: w - skip.get(t, 0.0) for t, w in self.sums[node].items()})}
        scores: dict[str, float] = {}
        for node, centroid in centroids.items():
            scores[node] = self.CENTROID_WEIGHT * _dot(query, centroid) + (1 - self.CENTROID_WEIGHT) * (
                votes[node] / vote_total
            ) * (nearest[0][1] if nearest else 0.0)
        best = sorted(scores, key=lambda n: (-scores[n], n))[:top]
        suggestions = [Suggestion(n, round(scores[n], 4), _top_terms(query, centroids[n])) for n in best]
        neighbours = [Neighbour(k, self.names[k], self.primary[k], round(s, 4)) for k, s in nearest[:5]]
        return Ranking(suggestions, neighbours)


def _top_terms(query: Vector, centroid: Vector, n: int = 5) -> list[str]:
    weights = {t: w * centroid.get(t, 0.0) for t, w in query.items()}
    return [t for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:n] if w > 0]


def leave_one_out(ranker: Ranker, keys: Iterable[str] | None = None) -> tuple[float, float, int]:
    """Top-1 and top-3 shares of entries whose primary node is found when each is held out in turn."""
    top1 = top3 = n = 0  # counts
    for key in keys or sorted(ranker.vectors):
        ranking = ranker.rank_vector(ranker.vectors[key], 3, exclude=key)
        nodes = [s.node for s in ranking.suggestions]
        n += 1
        top1 += bool(nodes) and nodes[0] == ranker.primary[key]
        top3 += ranker.primary[key] in nodes
    return (top1 / n if n else 0.0), (top3 / n if n else 0.0), n
