"""The `evwm` command: validate, stats, build, serve (and more in their own modules)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from evwm import __version__
from evwm.export import FORMATS
from evwm.records.files import WriteError, read_input, write_files
from evwm.records.models import Training
from evwm.records.problems import summarize

if TYPE_CHECKING:
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


def report(kb: KnowledgeBase, stream: TextIO = sys.stderr, quiet_warnings: bool = False) -> bool:
    """Print every problem; return True when there are no errors."""
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
    return build_site(args.root, strict=args.strict, site_dir=args.site_dir)


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
    try:
        if args.arxiv:
            bibtex = scaffold.bibtex_from_arxiv(lookup(args.arxiv))
        else:
            bibtex = read_input(args.bibtex)
        plan = scaffold.plan(kb, bibtex, args.category, args.entry_id, args.folder, args.name)
        scaffold.write(plan, args.root)
    except (ArxivError, scaffold.ScaffoldError, WriteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    root = args.root
    print(
        f"wrote {plan.entry_path.relative_to(root)} and added '{plan.citation.key}' to {plan.bib_path.relative_to(root)}"
    )
    print(
        "next: check the BibTeX against the paper (venue, full author list), fill in the TODOs, "
        "then run `evwm fmt` and `evwm validate`"
    )
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    from evwm.curation.fmt import run

    result = run(args.root, check=args.check)
    for problem in result.problems:
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
    for path in schema.write(args.root):
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
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evwm", description=__doc__)
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
    p.add_argument("--from", dest="year_from", type=int, metavar="YEAR", help="first year")
    p.add_argument("--to", dest="year_to", type=int, metavar="YEAR", help="last year")
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


if __name__ == "__main__":
    sys.exit(main())
