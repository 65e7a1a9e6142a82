"""A corpus of hostile and broken inputs (tests/hostile/): each gets a clear error naming the file,
a non-zero exit, no traceback, and nothing written."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "hostile"

CASES = {
    "malformed.yaml": ":3: invalid YAML",
    "wrong-types.yaml": "categories: Input should be a valid list",
    "unknown-field.yaml": ":8: speedup: is not a known field",
    "alias-bomb.yaml": ":2: YAML anchors and aliases (&name / *name) are not allowed",
    "python-tag.yaml": ":2: explicit YAML tags (such as !!python/object) are not allowed",
    "non-utf8.yaml": ":2: byte 0xe9 is not valid UTF-8 (save the file as UTF-8)",
    "path-traversal.yaml": ":1: id: '../../../etc/passwd' has characters that are not allowed",
    "javascript-url.yaml": ":9: links.code: must be an http:// or https:// URL",
    "duplicate-key.yaml": ":3: 'name' is given twice",
    "not-a-mapping.yaml": ":1: expected a mapping of field: value pairs",
    "empty.yaml": ":1: file is empty",
    "broken.bib": ":1: broken BibTeX record",
    "missing-key.bib": ":1: citation key '' has characters that are not allowed",
    "duplicate-key.bib": ":7: twice2025x: citation key 'twice2025x' is defined twice in this file",
    "missing-fields.bib": "nofields2025x.author: required field 'author' is missing",
    "non-utf8.bib": ":2: byte 0xe9 is not valid UTF-8",
    "javascript-url.bib": "url2025x.url: must be an http:// or https:// URL",
    "float-tag.yaml": ":10: explicit YAML tags (such as !!float or !!python/...) are not allowed",
    "huge-int.yaml": ":10: the number has more than 30 digits",
    "bad-date.yaml": ":7: training: '2024-02-30' is not allowed",
    "not-a-number.yaml": ":15: claims[1].value: must be a finite number, not .nan or .inf",
}


def evwm(root, *args):
    return subprocess.run(
        [sys.executable, "-m", "evwm.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=120
    )


def place(sample, name: str) -> Path:
    target = sample.root / ("bibliography" if name.endswith(".bib") else "entries/hostile") / f"hostile-{name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / name, target)
    return target


def test_every_corpus_file_has_a_case():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_cleanly(sample, name):
    path = place(sample, name)
    before = path.read_bytes()
    result = evwm(sample.root, "validate")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    relpath = path.relative_to(sample.root).as_posix()
    assert any(line.startswith(relpath) and CASES[name] in line for line in output.splitlines()), output
    # the build refuses too, and writes nothing
    build = evwm(sample.root, "build")
    assert build.returncode == 1 and "Traceback" not in build.stdout + build.stderr
    assert not (sample.root / "site").exists()
    # fmt leaves a file it cannot read exactly as it was
    fmt = evwm(sample.root, "fmt")
    assert fmt.returncode == 1 and "Traceback" not in fmt.stdout + fmt.stderr
    assert path.read_bytes() == before
    assert not Path("/tmp/evwm-pwned").exists()


def test_oversized_file_and_fields(sample):
    big = sample.write("entries/main/huge.yaml", "id: huge\nname: x\n# " + "x" * 300_000 + "\n")
    sample.entry("long-name", name="N" * 400, cites=["roe2025tiny"])
    result = evwm(sample.root, "validate")
    assert result.returncode == 1
    assert "entries/main/huge.yaml:1: file is 300,020 bytes, larger than the 262,144 allowed" in result.stdout
    assert (
        "entries/main/long-name.yaml:2: name: String should have at most 300 characters (shorten it)" in result.stdout
    )
    assert big.stat().st_size > 300_000


def test_deeply_nested_yaml(sample):
    sample.write("entries/main/deep.yaml", "id: " + "[" * 3000 + "]" * 3000 + "\n")
    result = evwm(sample.root, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "entries/main/deep.yaml:1: invalid YAML: nested too deeply" in result.stdout


def test_symbolic_links_are_not_followed(sample, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\nname: Secret Stuff\n")
    os.symlink(secret, sample.root / "entries/main/secret.yaml")
    os.symlink(secret, sample.root / "bibliography/linked.bib")
    result = evwm(sample.root, "validate")
    assert result.returncode == 1
    assert "entries/main/secret.yaml: is a symbolic link to a file, which is not read" in result.stdout
    assert "bibliography/linked.bib: is a symbolic link to a file, which is not read" in result.stdout
    assert "Secret Stuff" not in result.stdout


def test_new_refuses_hostile_bibtex(sample, tmp_path):
    for name in ("broken.bib", "missing-key.bib", "duplicate-key.bib", "javascript-url.bib"):
        result = evwm(sample.root, "new", "--bibtex", str(CORPUS / name), "--category", "inference")
        assert result.returncode == 1 and "Traceback" not in result.stderr, name
    assert sorted(p.name for p in (sample.root / "entries").rglob("*.yaml")) == [
        "fast-cache.yaml",
        "game-sim.yaml",
        "tiny-quant.yaml",
    ]
