"""The `evwm` command: validate, stats, build, serve (and more in their own modules)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .problems import summarize


def find_root(start: Path) -> Path:
    """The project root: the nearest folder (upwards) holding entries/ or mkdocs.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "entries").is_dir() or (folder / "mkdocs.yml").is_file():
            return folder
    return start


def _load(args):
    from .kb import load

    return load(args.root)


def report(kb, stream=sys.stderr, quiet_warnings: bool = False) -> bool:
    """Print every problem; return True when there are no errors."""
    for problem in kb.problems:
        if quiet_warnings and problem in kb.warnings:
            continue
        print(problem.format(), file=stream)
    print(summarize(kb.problems), file=stream)
    return not kb.errors


def cmd_validate(args) -> int:
    kb = _load(args)
    ok = report(kb, sys.stdout, args.quiet)
    if ok:
        print(f"ok: {len(kb.entries)} entries, {len(kb.nodes)} taxonomy nodes, {len(kb.citations)} citations")
    return 0 if ok else 1


def cmd_stats(args) -> int:
    from .stats import compute, format_text

    kb = _load(args)
    if kb.errors:
        report(kb)
        return 1
    stats = compute(kb)
    print(json.dumps(stats, indent=2) if args.json else format_text(stats))
    return 0


def cmd_build(args) -> int:
    from .site import build_site

    kb = _load(args)
    if not report(kb, quiet_warnings=True):
        print("build stopped: fix the errors above first; site/ was left as it was", file=sys.stderr)
        return 1
    return build_site(args.root, strict=args.strict, site_dir=args.site_dir)


def cmd_serve(args) -> int:
    from .site import serve_site

    kb = _load(args)
    if not report(kb, quiet_warnings=True):
        return 1
    return serve_site(args.root, args.dev_addr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evwm", description=__doc__)
    parser.add_argument("--version", action="version", version=f"evwm {__version__}")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder upwards with entries/)")
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

    from . import cli_extra

    cli_extra.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = find_root(args.root or Path.cwd())
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `evwm export | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
