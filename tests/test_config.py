"""The plugin's settings check themselves, and pages follow MkDocs' own URL scheme."""

from __future__ import annotations

import re

from evwm.cli import main


def build(project, capsys, *extra):
    code = main(["--root", str(project.root), "build", "--site-dir", str(project.root / "out"), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_misspelt_include_path_is_named_without_a_traceback(sample, capsys):
    config = sample.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("contributing.md: CONTRIBUTING.md", "contributing.md: CONTRIBUTNG.md"))
    code, out = build(sample, capsys)
    assert code == 1 and "Traceback" not in out
    assert "plugins.evwm.include.contributing.md: 'CONTRIBUTNG.md' does not exist" in out


def test_a_missing_templates_folder_is_named(sample, capsys):
    config = sample.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - evwm:\n", "  - evwm:\n      templates: tmpl\n"))
    code, out = build(sample, capsys)
    assert code == 1 and "plugins.evwm.templates: 'tmpl' is not a folder" in out


def test_pages_follow_use_directory_urls(sample, capsys):
    config = sample.root / "mkdocs.yml"
    config.write_text("use_directory_urls: false\n" + config.read_text())
    code, out = build(sample, capsys)
    assert code == 0, out
    site = sample.root / "out"
    entry = (site / "entries" / "tiny-quant.html").read_text()
    # every relative link written by evwm's templates resolves to a file in this URL scheme
    for href in re.findall(r'href="(\.\.?/[^"#?]+)"', entry):
        assert (site / "entries" / href).resolve().exists(), href
    assert not (site / "entries" / "tiny-quant" / "index.html").exists()
