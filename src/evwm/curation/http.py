"""The one polite HTTP client of the curation commands: User-Agent, rate limits, retries, on-disk cache.

Every call to arXiv, DBLP or OpenAlex goes through ``Client.get``, so each service sees one
identified caller that waits between requests (arXiv asks for 3 s, the others for about 1 s),
backs off on 429/5xx/time-outs a bounded number of times and answers repeated questions from
``.evwm-cache/``. The transport, the clock and ``sleep`` are parameters so tests replay recorded
responses and never wait.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

from evwm import __version__
from evwm.records.files import WriteError, write_files

CACHE_DIR = ".evwm-cache"
DEFAULT_MAILTO = "maintainers@example.org"  # placeholder: set --mailto or EVWM_MAILTO to a real address
PROJECT_URL = "https://github.com/evwm/evwm"  # placeholder contact URL, named in the User-Agent

# Seconds between two requests to one service: arXiv's API terms ask for 3 s; DBLP and
# OpenAlex ask callers to stay around one request per second.
MIN_INTERVAL = {"arxiv": 3.0, "dblp": 1.0, "openalex": 1.0}
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_BACKOFF = 60.0


class ServiceError(Exception):
    """A service could not answer (after retries), or the cache cannot in --offline mode."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    retry_after: float | None = None


# (url, headers, timeout) -> Response; raises OSError/TimeoutError when there is no answer at all.
Transport = Callable[[str, dict[str, str], float], Response]


def urllib_transport(url: str, headers: dict[str, str], timeout: float) -> Response:
    """The real network (tests replace ``transport`` or this module's ``urllib_transport``)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read() or b"", _retry_after(exc.headers.get("Retry-After")))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


pause = time.sleep  # looked up at call time, so tests can replace it without touching ``time``


def _default_transport(url: str, headers: dict[str, str], timeout: float) -> Response:
    return urllib_transport(url, headers, timeout)


def _default_sleep(seconds: float) -> None:
    pause(seconds)


def user_agent(mailto: str) -> str:
    return f"evwm/{__version__} (knowledge-base curation; +{PROJECT_URL}; mailto:{mailto})"


def mailto_default() -> str:
    return os.environ.get("EVWM_MAILTO") or DEFAULT_MAILTO


@dataclass
class Client:
    """GET with the project's manners. ``cache_dir=None`` disables the cache."""

    cache_dir: Path | None = None
    mailto: str = field(default_factory=mailto_default)
    offline: bool = False
    max_age: float = 7 * 24 * 3600.0  # seconds a cached answer stays fresh
    retries: int = 4
    timeout: float = 30.0
    transport: Transport = _default_transport
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = _default_sleep
    now: Callable[[], float] = time.time  # wall clock, for cache ages
    project_root: Path | None = None  # writes are confined to it (write_files' rule)
    requests: int = 0  # how many requests actually went out (tests and the summary line read it)
    _ready: dict[str, float] = field(default_factory=dict)  # clock time of each service's next turn

    @property
    def headers(self) -> dict[str, str]:
        return {"User-Agent": user_agent(self.mailto), "Accept": "application/atom+xml, application/json;q=0.9"}

    def _cache_path(self, service: str, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / service / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"

    def _read_cache(self, path: Path | None, url: str, any_age: bool) -> bytes | None:
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged cache file is simply a miss
        if not isinstance(data, dict) or data.get("url") != url or not isinstance(data.get("body"), str):
            return None
        if not any_age and self.now() - float(data.get("fetched", 0)) > self.max_age:
            return None
        body: str = data["body"]
        return body.encode("utf-8")

    def _write_cache(self, path: Path | None, url: str, body: bytes) -> None:
        if path is None:
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return  # every API here answers UTF-8 text; anything else is not worth keeping
        record = {"url": url, "fetched": self.now(), "body": text}
        with contextlib.suppress(WriteError):  # a cache that cannot be written only costs a later request
            write_files({path: json.dumps(record, ensure_ascii=False)}, self.project_root)

    def _wait_turn(self, service: str) -> None:
        ready = self._ready.get(service)
        if ready is not None:
            remaining = ready - self.clock()
            if remaining > 0:
                self.sleep(remaining)

    def get(self, service: str, url: str) -> bytes:
        path = self._cache_path(service, url)
        cached = self._read_cache(path, url, any_age=self.offline)
        if cached is not None:
            return cached
        if self.offline:
            raise ServiceError(f"{service}: no cached answer for {url} (run once without --offline to fill the cache)")
        interval = MIN_INTERVAL.get(service, 1.0)
        reason = ""
        for attempt in range(self.retries + 1):
            self._wait_turn(service)
            self.requests += 1
            retry_after: float | None = None
            try:
                answer = self.transport(url, self.headers, self.timeout)
            except (OSError, TimeoutError) as exc:
                reason = str(getattr(exc, "reason", exc)) or type(exc).__name__
            else:
                if 200 <= answer.status < 300:
                    self._ready[service] = self.clock() + interval
                    self._write_cache(path, url, answer.body)
                    return answer.body
                reason = f"HTTP {answer.status}"
                if answer.status not in RETRY_STATUS:
                    self._ready[service] = self.clock() + interval
                    break  # 400, 404 ...: asking again will not help
                retry_after = answer.retry_after
            # exponential backoff (2, 4, 8 ... s) or what the server asked for, capped, and never
            # shorter than the service's own interval
            delay = min(MAX_BACKOFF, retry_after if retry_after is not None else 2.0 * 2**attempt)
            self._ready[service] = self.clock() + max(interval, delay)
        raise ServiceError(f"{service}: no answer from {url.split('?')[0]} ({reason})")
