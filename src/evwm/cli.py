"""The `evwm` command: validate, stats, build, serve (and more in their own modules)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from evwm import __version__
from evwm.export import FORMATS
from evwm.records.files import WriteError, check_target, read_input, write_files
from evwm.records.models import Training
from evwm.records.problems import summarize

if TYPE_CHECKING:
    from evwm.curation.http import Client
    from evwm.curation.refresh import RefreshResult
    from evwm.kb import KnowledgeBase


def find_root(start: Path) -> Path:
    """The project root: the nearest folder (upwards) holding entries/ or mkdocs.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "entries").is_dir() or (folder / "mkdocs.yml").is_file():
            return folder
    return start


def _load(args: argparse.Namespace) -> KnowledgeBase:
    from evwm.kb import load

    return load(args.root)


def report(kb: KnowledgeBase, stream: TextIO | None = None, quiet_warnings: bool = False) -> bool:
    """Print every problem (to standard error unless told otherwise); return True when there are no errors."""
    stream = stream or sys.stderr  # looked up now, not at import, so a replaced stderr is used
    for problem in kb.problems:
        if quiet_warnings and problem in kb.warnings:
            continue
        print(problem.format(), file=stream)
    print(summarize(kb.problems), file=stream)
    return not kb.errors


def cmd_validate(args: argparse.Namespace) -> int:
    kb = _load(args)
    ok = report(kb, sys.stdout, args.quiet)
    if ok:
        print(f"ok: {len(kb.entries)} entries, {len(kb.nodes)} taxonomy nodes, {len(kb.citations)} citations")
    return 0 if ok else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from evwm.kb.stats import compute, format_text

    kb = _load(args)
    if kb.errors:
        report(kb)
        return 1
    stats = compute(kb)
    print(json.dumps(stats, indent=2) if args.json else format_text(stats))
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from evwm.site.build import build_site

    kb = _load(args)
    if not report(kb, quiet_warnings=True):
        print("build stopped: fix the errors above first; site/ was left as it was", file=sys.stderr)
        return 1
    from evwm.site import plugin

    plugin.PRELOADED[Path(args.root).resolve()] = kb  # the plugin need not read it all again
    try:
        return build_site(args.root, strict=args.strict, site_dir=args.site_dir)
    finally:
        plugin.PRELOADED.clear()


def cmd_serve(args: argparse.Namespace) -> int:
    from evwm.site.build import serve_site

    kb = _load(args)
    if not report(kb, quiet_warnings=True):
        return 1
    return serve_site(args.root, args.dev_addr)


def cmd_export(args: argparse.Namespace) -> int:
    from evwm.export import export
    from evwm.kb.query import Selection, select

    kb = _load(args)
    if kb.errors:
        report(kb, quiet_warnings=True)
        return 1
    problems = _unknown_filter_values(kb, args)
    if args.year_from is not None and args.year_to is not None and args.year_from > args.year_to:
        problems.append(f"--from {args.year_from} is after --to {args.year_to}; swap them")
    if problems:
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        return 2
    selection = Selection(
        nodes=args.node,
        applications=args.application,
        year_from=args.year_from,
        year_to=args.year_to,
        venues=args.venue,
        tags=args.tag,
        training=args.training,
        code=args.code,
        text=args.text,
        ids=args.ids,
        base_models=args.base_model,
    )
    entries = select(kb, selection)
    if not entries:
        print(
            "error: no entry matches these filters; loosen one of them (see `evwm stats` for what exists)",
            file=sys.stderr,
        )
        return 1
    text = export(kb, entries, args.format)
    if args.bom and args.format == "csv":
        text = "\ufeff" + text
    if args.output:
        try:
            write_files({args.output: text})
        except WriteError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {len(entries)} entries to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from evwm.curation import scaffold
    from evwm.curation.arxiv import ArxivError, lookup

    kb = _load(args)
    abstract = ""
    try:
        if args.arxiv:
            paper = lookup(args.arxiv)
            bibtex, abstract = scaffold.bibtex_from_arxiv(paper), paper.summary
        else:
            bibtex = read_input(args.bibtex)
        plan = scaffold.plan(kb, bibtex, args.category, args.entry_id, args.folder, args.name, abstract)
        scaffold.write(plan, args.root)
    except (ArxivError, scaffold.ScaffoldError, WriteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    root = args.root
    print(
        f"wrote {plan.entry_path.relative_to(root)} and added '{plan.citation.key}' to {plan.bib_path.relative_to(root)}"
    )
    for warning in plan.warnings:
        print(warning.format(), file=sys.stderr)
    if plan.ranking and plan.ranking.neighbours:
        near = ", ".join(f"{n.entry_id} ({n.score:.2f})" for n in plan.ranking.neighbours[:3])
        print(f"nearest existing entries (candidates for relations): {near}")
    print(
        "next: check the BibTeX against the paper (venue, full author list), fill in the TODOs, "
        "then run `evwm fmt` and `evwm validate`"
    )
    return 0


def _client(args: argparse.Namespace) -> Client:
    from evwm.curation.http import CACHE_DIR, Client

    return Client(
        cache_dir=None if args.no_cache else args.root / CACHE_DIR,
        mailto=args.mailto,
        offline=args.offline,
        max_age=args.cache_days * 86400.0,
        project_root=args.root,
    )


def _failed(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    print("error: nothing was changed; try again later, or use --offline to work from the cache", file=sys.stderr)
    return 1


def _unknown_record(kb: KnowledgeBase, key: str | None) -> bool:
    """Say so when --key names no BibTeX record (with the nearest keys); True when it does not exist."""
    from evwm.records.problems import closest

    if not key or key in kb.citations:
        return False
    near = closest(key, kb.citations)
    print(
        f"error: no BibTeX record '{key}'{'; did you mean ' + ', '.join(near) + '?' if near else ''}", file=sys.stderr
    )
    return True


def _report_and_write(args: argparse.Namespace, result: RefreshResult, title: str, verbose: bool = True) -> str | None:
    """Print the findings, then write the .bib files and the report together, or nothing.

    Returns the summary's verb (what was written, or how to write it), None when writing failed.
    """
    from evwm.curation import refresh

    for rec in result.records:
        for finding in rec.findings:
            if finding.status != refresh.INFO or verbose:
                print(f"{rec.path}: {rec.key}: {finding.kind}: {finding.message} [{finding.status}]")
    texts: dict[Path, str] = {}
    if args.write:
        texts = refresh.plan_writes(result, args.root)
        result.written = sorted(str(p.relative_to(args.root)) for p in texts)
    try:
        for path in list(texts):
            check_target(path, args.root)  # the .bib files must lie inside the project; the report may not
        if args.report:
            suffix = args.report.suffix.lower()
            text = refresh.to_json(result) if suffix == ".json" else refresh.to_markdown(result, args.write, title)
            texts[args.report if args.report.is_absolute() else Path.cwd() / args.report] = text
        if texts:
            write_files(texts)
    except WriteError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return None
    for line in result.skipped_files:
        print(f"warning: {line}", file=sys.stderr)
    return f"rewrote {len(result.written)} file(s)" if args.write else "run with --write to apply them"


def cmd_refresh(args: argparse.Namespace) -> int:
    from evwm.curation import refresh
    from evwm.curation.arxiv import ArxivError
    from evwm.curation.http import ServiceError
    from evwm.curation.index import INDEXES, BadAnswer
    from evwm.curation.progress import Progress

    kb = _load(args)
    if kb.errors:  # a broken entry elsewhere need not stop a read-mostly run; `validate` names it
        print(
            f"warning: the knowledge base has {len(kb.errors)} error(s) (see `evwm validate`); refresh goes on",
            file=sys.stderr,
        )
    if _unknown_record(kb, args.key):
        return 2
    todo = refresh.select(kb, args.key)
    batches = -(-len({c.arxiv for c in todo if c.arxiv}) // 50)
    client = _client(args)
    try:
        with Progress(batches + len(todo), "refresh") as bar:
            result = refresh.run(kb, client, args.key, tuple(args.index or INDEXES), progress=bar.advance)
    except (ServiceError, ArxivError, BadAnswer) as exc:
        return _failed(exc)
    verb = _report_and_write(args, result, "evwm refresh report", verbose=args.verbose)
    if verb is None:
        return 1
    applied = {r.key for r, _ in result.by_status(refresh.APPLY)}
    undecided = len(result.by_status(refresh.UNDECIDED))
    print(
        f"{len(result.records)} records checked, {client.requests} requests; {len(applied)} with confirmed "
        f"changes ({verb}); {undecided} finding(s) to decide by hand",
        file=sys.stderr,
    )
    return 0


def cmd_accepted(args: argparse.Namespace) -> int:
    from evwm.curation import accepted, refresh

    kb = _load(args)
    if _unknown_record(kb, args.key):
        return 2
    lists, problems = [], []
    for path in args.lists:
        pubs, trouble = accepted.read_list(path, args.venue)
        lists.append(pubs)
        problems += trouble
    if problems:  # every problem of every list in one run, and nothing compared or written
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"error: {len(problems)} problem(s) in the lists; nothing was compared or written", file=sys.stderr)
        return 1
    result = accepted.run(kb, lists, args.key)
    verb = _report_and_write(args, result, "evwm accepted report")
    if verb is None:
        return 1
    applied = {r.key for r, _ in result.by_status(refresh.APPLY)}
    undecided = len(result.by_status(refresh.UNDECIDED))
    papers = sum(len(pubs) for pubs in lists)
    print(
        f"{papers} listed papers, {len(result.records)} arXiv-only records among them; {len(applied)} with "
        f"confirmed venues ({verb}); {undecided} finding(s) to decide by hand",
        file=sys.stderr,
    )
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    from evwm.curation import rekey

    if args.years and (args.old or args.new):
        print("error: --years renames every key whose year is stale; give it no keys", file=sys.stderr)
        return 2
    if not args.years and not args.old:
        print("error: name the key to rename (evwm rekey OLD [NEW]), or give --years", file=sys.stderr)
        return 2
    kb = _load(args)
    wanted: dict[str, str | None] = dict(rekey.stale_keys(kb)) if args.years else {args.old: args.new}
    if not wanted:
        print("every key carries its record's year; nothing to rename", file=sys.stderr)
        return 0
    result = rekey.plan(kb, wanted)
    if result.problems:
        for problem in result.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"error: {len(result.problems)} problem(s); nothing was renamed", file=sys.stderr)
        return 1
    for r in result.renames:
        print(f"{r.old} -> {r.new}: {', '.join(r.files)}")
    if args.write:
        try:
            write_files(result.texts, args.root)
        except WriteError as exc:
            print(f"error: {exc}; nothing was written", file=sys.stderr)
            return 1
        verb = f"rewrote {len(result.texts)} file(s)"
    else:
        verb = f"run with --write to rewrite {len(result.texts)} file(s)"
    print(f"{len(result.renames)} key(s) renamed ({verb})", file=sys.stderr)
    return 0


def _year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"'{text}' is not a year like 2025")
    return int(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2025-11-24") from None


def cmd_discover(args: argparse.Namespace) -> int:
    from evwm.curation import discover
    from evwm.curation.arxiv import ArxivError
    from evwm.curation.http import ServiceError
    from evwm.curation.progress import Progress

    if args.date_from > args.date_to:
        print(f"error: --from {args.date_from} is after --to {args.date_to}", file=sys.stderr)
        return 2
    kb = _load(args)
    if kb.errors:  # a broken entry elsewhere need not stop a read-mostly run; `validate` names it
        print(
            f"warning: the knowledge base has {len(kb.errors)} error(s) (see `evwm validate`); discover goes on",
            file=sys.stderr,
        )
    client = _client(args)
    try:
        with Progress(args.limit, "discover") as bar:

            def moved(done: int, total: int) -> None:
                bar.total = max(total, 1)
                bar.advance(done - bar.done)

            papers = discover.fetch(args.date_from, args.date_to, client, args.limit, moved)
    except (ServiceError, ArxivError) as exc:
        return _failed(exc)
    outcome = discover.triage(kb, papers)
    sys.stdout.write(discover.table(outcome))
    texts: dict[Path, str] = {}
    if args.json:
        texts[args.json] = discover.to_json(outcome, args.date_from, args.date_to)
    if args.markdown:
        texts[args.markdown] = discover.to_markdown(outcome, args.date_from, args.date_to)
    try:
        if texts:
            write_files(texts)
    except WriteError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    return 0


def _service_options(p: argparse.ArgumentParser) -> None:
    from evwm.curation.http import mailto_default

    p.add_argument("--offline", action="store_true", help="answer only from the cache (.evwm-cache/); no network")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write .evwm-cache/")
    p.add_argument(
        "--cache-days", type=float, default=7.0, metavar="DAYS", help="cached answers stay fresh this long (default: 7)"
    )
    p.add_argument(
        "--mailto",
        default=mailto_default(),
        metavar="ADDRESS",
        help="contact address sent to the services in the User-Agent (default: $EVWM_MAILTO or a placeholder)",
    )


def cmd_fmt(args: argparse.Namespace) -> int:
    from evwm.curation.fmt import run

    result = run(args.root, check=args.check)
    for problem in [*result.problems, *result.warnings]:
        print(problem.format(), file=sys.stderr)
    verb = "would reformat" if args.check else "reformatted"
    for name in result.changed:
        print(f"{verb} {name}")
    if result.problems:
        print(f"{len(result.problems)} problem(s) above: those files were left as they are", file=sys.stderr)
        return 1
    if args.check and result.changed:
        print(f"{len(result.changed)} file(s) not in canonical form; run `evwm fmt`", file=sys.stderr)
        return 1
    if not result.changed:
        print("all files are in canonical form")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from evwm.records import schema

    if args.check:
        stale = schema.stale(args.root)
        for path in stale:
            print(f"out of date: {path.relative_to(args.root)}; run `evwm schema`", file=sys.stderr)
        return 1 if stale else 0
    try:
        written = schema.write(args.root)
    except WriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(args.root)}")
    return 0


def _unknown_filter_values(kb: KnowledgeBase, args: argparse.Namespace) -> list[str]:
    """Name each filter value that matches nothing at all, with the closest valid ones."""
    from evwm.records.problems import closest

    known = {
        "node": list(kb.nodes),
        "application": kb.applications,
        "venue": sorted({c.venue_short for e in kb.entries.values() if (c := kb.citation(e))}),
        "tag": sorted({t for e in kb.entries.values() for t in e.tags}),
        "id": list(kb.entries),
    }
    given = {"node": args.node, "application": args.application, "venue": args.venue, "tag": args.tag, "id": args.ids}
    out = []
    for name, values in given.items():
        lowered = {k.lower() for k in known[name]} if name == "venue" else set(known[name])
        for value in values:
            if (value.lower() if name == "venue" else value) in lowered:
                continue
            near = closest(value, known[name]) or (known[name][:8] if len(known[name]) <= 8 else [])
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            out.append(f"unknown {name} '{value}'{hint}")
    names = [bm.name for bm in kb.vocab.base_models.values()]
    for value in args.base_model:
        if kb.vocab.base_model_id(value) is None:
            near = closest(value, names)
            hint = f"; did you mean {', '.join(near)}?" if near else " (see vocab/base-models.yaml)"
            out.append(f"unknown base model '{value}'{hint}")
    return out


class _Parser(argparse.ArgumentParser):
    """argparse, with its commonest complaint said in evwm's words: a value outside a fixed list is
    named with the closest ones."""

    def error(self, message: str) -> NoReturn:
        import re

        from evwm.records.problems import closest

        found = re.fullmatch(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if found:
            option, value, listed = found.groups()
            choices = re.findall(r"'([^']*)'", listed)
            option = option.split("/")[-1]
            near = closest(value, choices)
            hint = f"did you mean {', '.join(near)}?" if near else f"use one of {', '.join(choices)}"
            what = "an evwm command" if option == "COMMAND" else f"a choice of {option}"
            message = f"'{value}' is not {what}; {hint}"
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="evwm", description=__doc__)
    parser.add_argument("--version", action="version", version=f"evwm {__version__}")
    parser.add_argument(
        "--root", type=Path, default=None, help="project folder (default: the nearest folder upwards with entries/)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check every file and cross-link; exit 1 on any error")
    p.add_argument("-q", "--quiet", action="store_true", help="hide warnings")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("stats", help="print counts per taxonomy node, application and year")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("build", help="validate, then build the site into site/")
    p.add_argument("--no-strict", dest="strict", action="store_false", help="do not fail on MkDocs warnings")
    p.add_argument("--site-dir", type=Path, default=None, help="output folder (default: site/)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", help="validate, then serve the site with live reload")
    p.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "export",
        help="write a filtered bibliography (BibTeX, BibLaTeX, CSL-JSON, RIS, Markdown, CSV)",
        description="Select entries (all filters must hold; repeat one to allow several values) "
        "and write the works they cite, each once, in a stable order.",
    )
    p.add_argument("--node", action="append", default=[], metavar="ID", help="taxonomy node, sub-tree included")
    p.add_argument("--application", action="append", default=[], metavar="SLUG", help="autonomous-driving, ...")
    p.add_argument("--from", dest="year_from", type=_year, metavar="YEAR", help="first year")
    p.add_argument("--to", dest="year_to", type=_year, metavar="YEAR", help="last year")
    p.add_argument("--venue", action="append", default=[], help="short venue name: CVPR, NeurIPS, arXiv, ...")
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--training", action="append", default=[], choices=[t.value for t in Training])
    p.add_argument("--code", action="store_true", help="only entries with a code link")
    p.add_argument("--text", default="", help="words that must all occur in name, title or summary")
    p.add_argument("--id", dest="ids", action="append", default=[], metavar="ENTRY", help="explicit entry id")
    p.add_argument(
        "--base-model", action="append", default=[], metavar="MODEL", help="evaluated on this base model (name or id)"
    )
    p.add_argument("-f", "--format", default="bibtex", choices=sorted(FORMATS), help="output format (default: bibtex)")
    p.add_argument("--bom", action="store_true", help="CSV only: start with a UTF-8 byte-order mark (for Excel)")
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("new", help="start an entry from an arXiv id (online) or a BibTeX record (offline)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--arxiv", metavar="ID", help="arXiv identifier or URL; asks the arXiv API")
    source.add_argument("--bibtex", metavar="FILE", help="a file holding one BibTeX record, or - for standard input")
    p.add_argument(
        "--category", action="append", default=[], metavar="NODE", help="taxonomy node (repeat; first is primary)"
    )
    p.add_argument("--id", dest="entry_id", help="entry id (default: from the title)")
    p.add_argument("--name", help="display name (default: the title before its colon)")
    p.add_argument("--folder", help="folder under entries/ (default: where that category's entries live)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser(
        "refresh",
        help="ask arXiv, DBLP and OpenAlex what changed for the cited papers (venue, version, DOI)",
        description="Report new arXiv versions, published venues, DOIs and title or author differences for "
        "every record with an arXiv id. --write applies only the venues it can confirm.",
    )
    p.add_argument("--key", help="only this BibTeX record")
    p.add_argument("--write", action="store_true", help="rewrite .bib files with the confirmed changes")
    p.add_argument("--report", type=Path, metavar="FILE", help="write a report (.md, or .json for JSON)")
    p.add_argument(
        "--index",
        action="append",
        choices=["dblp", "openalex"],
        help="index to ask, in order (default: dblp, openalex)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="also print informational findings (versions, ...)")
    _service_options(p)
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser(
        "accepted",
        help="match arXiv-only records against lists of a venue's accepted papers (offline)",
        description="Compare every @misc record with lists of accepted papers (CSV, TSV or JSON with a title "
        "and a venue column, optionally authors, year and url) and report the records a list names. "
        "--write turns them into the published version, as `evwm refresh --write` does.",
    )
    p.add_argument("lists", nargs="+", type=Path, metavar="LIST", help="a .csv, .tsv or .json list of papers")
    p.add_argument("--venue", metavar="LABEL", help="the venue of rows that name none, e.g. 'CVPR 2026'")
    p.add_argument("--key", help="only this BibTeX record")
    p.add_argument("--write", action="store_true", help="rewrite .bib files with the confirmed venues")
    p.add_argument("--report", type=Path, metavar="FILE", help="write a report (.md, or .json for JSON)")
    p.set_defaults(func=cmd_accepted)

    p = sub.add_parser(
        "rekey",
        help="rename a BibTeX key and every citation of it",
        description="Rename a BibTeX key in its .bib file and in every entry citing it (cites: and claims' "
        "cite:). Without NEW, the key's year becomes its record's year (the year convention: a preprint "
        "published a year later takes the venue's year); --years does that for every key. Nothing is written "
        "without --write, and then all files or none.",
    )
    p.add_argument("old", nargs="?", metavar="OLD", help="the key to rename")
    p.add_argument("new", nargs="?", metavar="NEW", help="its new key (default: OLD with its record's year)")
    p.add_argument("--years", action="store_true", help="rename every key whose year is not its record's")
    p.add_argument("--write", action="store_true", help="rewrite the files (default: only say what would change)")
    p.set_defaults(func=cmd_rekey)

    p = sub.add_parser(
        "discover",
        help="list recent arXiv papers the knowledge base may be missing, each with its likely node",
    )
    p.add_argument(
        "--from", dest="date_from", type=_date, required=True, metavar="YYYY-MM-DD", help="first submission day"
    )
    p.add_argument("--to", dest="date_to", type=_date, required=True, metavar="YYYY-MM-DD", help="last submission day")
    p.add_argument("--limit", type=int, default=1000, help="read at most this many search results (default: 1000)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the candidates as JSON")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="also write the candidates as a Markdown table")
    _service_options(p)
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("fmt", help="rewrite YAML and BibTeX files into canonical form")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    p.set_defaults(func=cmd_fmt)

    p = sub.add_parser("schema", help="write JSON Schemas for entry and taxonomy files into schemas/")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a schema is out of date")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = find_root(args.root or Path.cwd())
    if not any((args.root / d).is_dir() for d in ("taxonomy", "entries", "bibliography")):
        print(
            f"error: {args.root} is not an evwm project (no taxonomy/, entries/ or bibliography/ folder); "
            "run evwm inside one or pass --root",
            file=sys.stderr,
        )
        return 2
    try:
        code: int = args.func(args)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `evwm export | head`
        return 0


# Commands whose every file is written and closed when they return (build's site/ is swapped in
# whole by then): they may skip the teardown.
_FAST_EXIT = ("cmd_validate", "cmd_stats", "cmd_export", "cmd_build")


def run() -> None:
    """The `evwm` command line. A command that has finished writing (validate, stats, export,
    build) ends without tearing down its objects one by one (a loaded knowledge base and a built
    site are millions of them: seconds of CPU at 10,000 entries); everything it printed is
    flushed first. Every other command exits the usual way."""
    argv = sys.argv[1:]
    command = build_parser().parse_args(argv).func.__name__  # a bad command line stops here, as in main
    code = main(argv)
    if command not in _FAST_EXIT:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `evwm export | head`: the reader has gone
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
