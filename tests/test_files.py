"""The one file policy: links are never followed or written through, odd files are named, writes are atomic."""

from __future__ import annotations

import os

from conftest import bib_record
from evwm.cli import main


def run(project, *args, capsys):
    code = main(["--root", str(project.root), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_linked_entries_folder_is_not_read(sample, tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_text("id: x\n")
    os.symlink(outside, sample.root / "entries" / "linked")
    code, out = run(sample, "validate", capsys=capsys)
    assert code == 1 and "entries/linked: is a symbolic link to a folder, which is not read" in out


def test_editor_debris_is_skipped_and_unknown_files_are_named_once(sample, capsys):
    (sample.root / "entries/main/.#fast-cache.yaml").write_text("junk")
    (sample.root / "entries/main/fast-cache.yaml~").write_text("junk")
    (sample.root / "entries/main/notes.txt").write_text("junk")
    code, out = run(sample, "validate", capsys=capsys)
    assert code == 0
    assert out.count("entries/main/notes.txt: warning: is not read: files in entries/ end in .yaml or .yml") == 1
    assert ".#fast-cache" not in out and "fast-cache.yaml~" not in out


def test_new_does_not_write_through_a_linked_folder(sample, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, sample.root / "entries" / "evil")
    record = tmp_path / "paper.bib"
    record.write_text(bib_record("new2025paper", "A New Paper on Caching", eprint="2509.00001"))
    code, out = run(
        sample, "new", "--bibtex", str(record), "--category", "inference/caching", "--folder", "evil", capsys=capsys
    )
    assert code == 1 and "symbolic link" in out
    assert not list(outside.iterdir())


def test_endless_input_is_refused(sample, capsys):
    code, out = run(sample, "new", "--bibtex", "/dev/zero", "--category", "inference/caching", capsys=capsys)
    assert code == 1 and "cannot read /dev/zero: it is not a regular file" in out


def test_export_never_replaces_a_link_or_a_fifo(sample, tmp_path, capsys):
    target = tmp_path / "target.bib"
    target.write_text("keep me")
    link = tmp_path / "link.bib"
    os.symlink(target, link)
    code, out = run(sample, "export", "-o", str(link), capsys=capsys)
    assert code == 1 and "is a symbolic link" in out and target.read_text() == "keep me" and link.is_symlink()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out = run(sample, "export", "-o", str(fifo), capsys=capsys)
    assert code == 1 and "is not a regular file" in out


def test_fmt_leaves_a_linked_bib_file_alone(sample, tmp_path, capsys):
    real = tmp_path / "real.bib"
    real.write_text(bib_record("link2025x", "Linked   Record", eprint="2509.00009"))
    os.symlink(real, sample.root / "bibliography/linked.bib")
    before = real.read_text()
    run(sample, "fmt", capsys=capsys)
    assert real.read_text() == before and (sample.root / "bibliography/linked.bib").is_symlink()
    assert not [p for p in (sample.root / "bibliography").iterdir() if p.name.endswith(".tmp")]
