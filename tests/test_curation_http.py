"""The polite client: rate limits, bounded backoff, the cache and --offline, on a fake clock."""

from __future__ import annotations

import io

import pytest

from evwm.curation import http
from evwm.curation.progress import Progress


class Clock:
    """Time that only moves when the client sleeps: no test ever waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


class Script:
    """A transport that answers with the given statuses in turn (an exception is raised)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[str] = []

    def __call__(self, url, headers, timeout):
        self.calls.append(url)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, tuple):
            return http.Response(answer[0], b"", answer[1])
        return http.Response(answer, b'{"ok": true}' if answer == 200 else b"")


def client(transport, tmp_path=None, **kw):
    clock = Clock()
    c = http.Client(
        cache_dir=tmp_path / "cache" if tmp_path else None,
        transport=transport,
        clock=clock,
        sleep=clock.sleep,
        now=clock,
        **kw,
    )
    return c, clock


def test_429_then_success_backs_off_exponentially():
    transport = Script(429, 429, 200)
    c, clock = client(transport)
    assert c.get("dblp", "https://dblp.org/search/publ/api?q=x") == b'{"ok": true}'
    assert clock.slept == [2.0, 4.0] and len(transport.calls) == 3


def test_retry_after_is_honoured_and_capped():
    c, clock = client(Script((429, 7.0), (503, 3600.0), 200))
    c.get("openalex", "https://api.openalex.org/works?x")
    assert clock.slept == [7.0, http.MAX_BACKOFF]


def test_timeouts_are_retried_a_bounded_number_of_times():
    transport = Script(*[TimeoutError("timed out")] * 3)
    c, clock = client(transport, retries=2)
    with pytest.raises(http.ServiceError, match=r"dblp: no answer from https://dblp.org/x \(timed out\)"):
        c.get("dblp", "https://dblp.org/x?q=1")
    assert len(transport.calls) == 3 and clock.slept == [2.0, 4.0]


def test_a_client_error_is_not_retried():
    transport = Script(404)
    c, _ = client(transport)
    with pytest.raises(http.ServiceError, match="HTTP 404"):
        c.get("dblp", "https://dblp.org/x")
    assert len(transport.calls) == 1


def test_arxiv_calls_are_three_seconds_apart_and_others_one():
    c, clock = client(Script(200, 200, 200, 200))
    c.get("arxiv", "https://export.arxiv.org/api/query?id_list=1")
    c.get("arxiv", "https://export.arxiv.org/api/query?id_list=2")
    c.get("dblp", "https://dblp.org/a")  # another service: no wait for arXiv's turn
    c.get("dblp", "https://dblp.org/b")
    assert clock.slept == [3.0, 1.0]


def test_cache_hit_avoids_a_second_request_until_it_expires(tmp_path):
    transport = Script(200, 200)
    c, clock = client(transport, tmp_path, max_age=3600)
    url = "https://dblp.org/search/publ/api?q=same"
    assert c.get("dblp", url) == c.get("dblp", url)
    assert len(transport.calls) == 1 and c.requests == 1
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.name.endswith(".tmp")]  # written atomically
    clock.now += 3601
    c.get("dblp", url)
    assert len(transport.calls) == 2


def test_offline_answers_from_the_cache_however_old(tmp_path):
    c, clock = client(Script(200), tmp_path, max_age=1)
    url = "https://api.openalex.org/works?filter=x"
    c.get("openalex", url)
    clock.now += 10**6
    offline, _ = client(Script(), tmp_path, offline=True)
    assert offline.get("openalex", url) == b'{"ok": true}' and offline.requests == 0
    with pytest.raises(http.ServiceError, match="no cached answer"):
        offline.get("openalex", url + "&other")


def test_a_damaged_cache_file_is_a_miss(tmp_path):
    c, _ = client(Script(200, 200), tmp_path)
    url = "https://dblp.org/x"
    c.get("dblp", url)
    for path in (tmp_path / "cache").rglob("*.json"):
        path.write_text("{not json")
    c.get("dblp", url)
    assert c.requests == 2


def test_user_agent():
    agent = http.user_agent("me@example.org")
    assert agent.startswith("evwm/") and "mailto:me@example.org" in agent and "+https://" in agent


# -- progress ------------------------------------------------------------------------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_when_not_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = io.StringIO()
    with Progress(10, "refresh", stream) as bar:
        bar.advance(5)
    assert stream.getvalue() == ""


def test_progress_is_quiet_in_ci_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    stream = Tty()
    with Progress(10, "refresh", stream) as bar:
        bar.advance(5)
    assert stream.getvalue() == ""


def test_progress_draws_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = Tty()
    with Progress(4, "refresh", stream) as bar:
        bar.advance(2)
    assert "refresh [" in stream.getvalue() and "2/4" in stream.getvalue()
