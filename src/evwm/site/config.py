"""The evwm plugin's options, and the check that they point at real folders and files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError


class EvwmConfig(Config):  # type: ignore[no-untyped-call]
    root = c.Type(str, default=".")  # the project folder, relative to mkdocs.yml
    templates = c.Type(str, default="templates")  # relative to root
    nav_position = c.Type(int, default=0)
    # Repository files published as pages (site path -> file), so e.g. CONTRIBUTING.md has one copy.
    include = c.Type(dict, default={})
    # Entries on one page of a long listing (a node, a tag, a venue, an author, a year); longer
    # lists continue on numbered pages, so no page grows with the knowledge base.
    page_size = c.Type(int, default=100)


@dataclass(frozen=True)
class Settings:
    """The options resolved against the project folder, every path checked."""

    root: Path
    templates: Path
    nav_position: int
    include: dict[str, Path]
    directory_urls: bool
    page_size: int = 100


def resolve(options: EvwmConfig, config_file: str | None, directory_urls: bool) -> Settings:
    """Resolve and check every option at once; one PluginError names every bad setting."""
    base = Path(config_file).parent if config_file else Path.cwd()
    root = (base / options.root).resolve()
    problems: list[str] = []
    if not root.is_dir():
        problems.append(f"plugins.evwm.root: '{options.root}' is not a folder (it is read relative to mkdocs.yml)")
    templates = (root / options.templates).resolve()
    if root.is_dir() and not templates.is_dir():
        problems.append(f"plugins.evwm.templates: '{options.templates}' is not a folder under {root}")
    if options.nav_position < 0:
        problems.append("plugins.evwm.nav_position: must be 0 or more")
    if options.page_size < 1:
        problems.append("plugins.evwm.page_size: must be 1 or more (entries on one page of a long list)")
    include: dict[str, Path] = {}
    for site_path, source in options.include.items():
        where = f"plugins.evwm.include.{site_path}"
        if not isinstance(site_path, str) or not site_path.endswith(".md") or site_path.startswith(("/", "..")):
            problems.append(f"{where}: the page name must be a relative path ending in .md")
            continue
        if not isinstance(source, str):
            problems.append(f"{where}: write the repository file as a path, such as CONTRIBUTING.md")
            continue
        path = (root / source).resolve()
        if not path.is_file():
            problems.append(f"{where}: '{source}' does not exist under {root} (check the spelling)")
        elif not path.is_relative_to(root):
            problems.append(f"{where}: '{source}' is outside the project folder")
        else:
            include[site_path] = path
    if problems:
        raise PluginError("the evwm plugin's settings in mkdocs.yml are wrong:\n  " + "\n  ".join(problems))
    return Settings(root, templates, options.nav_position, include, directory_urls, options.page_size)
