"""The record cache: an unchanged file is not parsed again, and nothing it keeps can go stale."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from evwm.kb import load
from evwm.records import cache, loader


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A cache folder of this test's own, and no results kept in this process from earlier loads."""
    monkeypatch.setenv("EVWM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "_RECORDS", {})
    from evwm.records import bib

    monkeypatch.setattr(bib, "_PARSED", {})
    monkeypatch.setattr(cache, "_OPENED", {})
    return tmp_path / "cache"


def forget_this_process(monkeypatch):
    """What a new process starts with: nothing but the cache on disk."""
    from evwm.records import bib

    monkeypatch.setattr(loader, "_RECORDS", {})
    monkeypatch.setattr(bib, "_PARSED", {})
    monkeypatch.setattr(cache, "_OPENED", {})


def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "_parse_record", refuse)
    from evwm.records import bib

    monkeypatch.setattr(bib, "parse_bib", refuse)


def test_a_second_load_reads_the_cache_and_finds_the_same(sample, fresh, monkeypatch):
    first = load(sample.root)
    assert any(fresh.glob("records-*.pickle"))
    forget_this_process(monkeypatch)
    no_parsing(monkeypatch)
    second = load(sample.root)
    assert {k: e.model_dump() for k, e in second.entries.items()} == {
        k: e.model_dump() for k, e in first.entries.items()
    }
    assert {k: (c.fields, c.title) for k, c in second.citations.items()} == {
        k: (c.fields, c.title) for k, c in first.citations.items()
    }
    assert [p.format() for p in second.problems] == [p.format() for p in first.problems]


def test_an_edited_file_is_parsed_again(sample, fresh, monkeypatch):
    load(sample.root)
    forget_this_process(monkeypatch)
    path = sample.entry("fast-cache", name="Renamed Cache")
    kb = load(sample.root)
    assert kb.entries["fast-cache"].name == "Renamed Cache"
    assert path.is_file()


def counting_reads(monkeypatch) -> list[str]:
    """The entry files the loader reads from here on."""
    seen: list[str] = []
    real = loader.read_text
    monkeypatch.setattr(loader, "read_text", lambda path, *a: seen.append(path.name) or real(path, *a))
    return seen


def test_a_file_whose_status_is_unchanged_is_not_even_read(sample, fresh, monkeypatch):
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)  # trust statuses however recent the files
    first = load(sample.root)
    forget_this_process(monkeypatch)
    reads = counting_reads(monkeypatch)
    second = load(sample.root)
    assert reads == []
    assert {k: e.model_dump() for k, e in second.entries.items()} == {
        k: e.model_dump() for k, e in first.entries.items()
    }


def test_a_rewrite_that_keeps_size_and_modification_time_is_still_seen(sample, fresh, monkeypatch):
    # cp -p and touch -r set the modification time back; the change time cannot be set back
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)
    path = sample.entry("fast-cache", name="Cache One")
    load(sample.root)
    before = os.stat(path)
    time.sleep(0.05)  # past the file system's clock tick
    path.write_text(path.read_text().replace("Cache One", "Cache Two"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    forget_this_process(monkeypatch)
    reads = counting_reads(monkeypatch)
    assert load(sample.root).entries["fast-cache"].name == "Cache Two"
    assert reads == ["fast-cache.yaml"]


def test_a_file_changed_within_a_clock_tick_of_its_reading_is_read_again(sample, fresh, monkeypatch):
    # Two writes in the same tick of the file system's clock leave the same size and times. A
    # status younger than RACY_SECONDS is therefore never kept, so the second write is seen.
    path = sample.entry("fast-cache", name="Cache One")
    load(sample.root)
    stamp = os.stat(path)
    path.write_text(path.read_text().replace("Cache One", "Cache Two"))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    forget_this_process(monkeypatch)
    assert load(sample.root).entries["fast-cache"].name == "Cache Two"
    store = cache.Store.open(sample.root.resolve())
    assert store is not None and "entries/main/fast-cache.yaml" not in store.statuses


def test_problems_of_a_cached_file_still_point_at_their_line(sample, fresh, monkeypatch):
    sample.entry("lonely", categories=["inference/caching"], relations=[{"type": "builds-on", "target": "nowhere"}])
    before = [p.format() for p in load(sample.root).problems if "nowhere" in p.message]
    assert before and int(re.search(r"\.yaml:(\d+)", before[0]).group(1)) > 1, before
    forget_this_process(monkeypatch)
    no_parsing(monkeypatch)  # the line map is read again from the file itself, not parsed as a record
    after = [p.format() for p in load(sample.root).problems if "nowhere" in p.message]
    assert after == before


def test_a_loaded_record_keeps_no_line_map_until_a_problem_asks_for_one(sample, fresh, monkeypatch):
    # 10,000 line maps would hold several hundred thousand entries for nothing: lines are read
    # again from the file, on the first problem that needs one, even without the cache
    monkeypatch.setenv("EVWM_CACHE", "off")
    sample.entry("lonely", categories=["inference/caching"], relations=[{"type": "builds-on", "target": "nowhere"}])
    kb = load(sample.root)
    sources = kb.project.entries
    assert sources and all(s.doc.lines is None for s in sources if s.model.id != "lonely")
    problem = next(p for p in kb.problems if "nowhere" in p.message)
    lines = sample.root.joinpath(problem.path).read_text().splitlines()
    assert "nowhere" in lines[problem.line - 1]


def test_a_store_others_can_write_is_never_read(sample, fresh, monkeypatch):
    load(sample.root)
    (store,) = fresh.glob("records-*.pickle")
    os.chmod(store, 0o666)
    forget_this_process(monkeypatch)
    calls = []
    real = loader._parse_record
    monkeypatch.setattr(loader, "_parse_record", lambda *a: calls.append(a) or real(*a))
    load(sample.root)
    assert calls, "a world-writable store was trusted"


def test_a_store_of_other_code_is_not_used(sample, fresh, monkeypatch):
    load(sample.root)
    forget_this_process(monkeypatch)
    monkeypatch.setattr(cache, "_fingerprint", lambda: "other code")
    calls = []
    real = loader._parse_record
    monkeypatch.setattr(loader, "_parse_record", lambda *a: calls.append(a) or real(*a))
    load(sample.root)
    assert calls


def test_the_cache_can_be_turned_off(sample, fresh, monkeypatch):
    monkeypatch.setenv("EVWM_CACHE", "off")
    load(sample.root)
    assert not fresh.exists() or not any(fresh.iterdir())


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_time(sample, fresh, monkeypatch):
    fresh.parent.mkdir(exist_ok=True)
    fresh.write_text("a file where the folder should be")
    kb = load(sample.root)
    assert kb.entries and not kb.errors


def test_a_corrupt_store_is_ignored(sample, fresh, monkeypatch):
    load(sample.root)
    (store,) = fresh.glob("records-*.pickle")
    store.write_bytes(b"\x80\x05 not a pickle")
    forget_this_process(monkeypatch)
    kb = load(sample.root)
    assert kb.entries and not kb.errors


def test_the_command_line_uses_the_cache_across_runs(sample, fresh):
    env = {**os.environ, "EVWM_CACHE_DIR": str(fresh)}
    cmd = [sys.executable, "-m", "evwm.cli", "--root", str(sample.root), "validate"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert any(fresh.glob("records-*.pickle"))
