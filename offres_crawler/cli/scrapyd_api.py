"""The few calls of scrapyd's JSON API that `offres-crawler schedule` needs (urllib: no dependency)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class ScheduleError(Exception):
    """What the command says in one line, with exit code 1."""


class Scrapyd:

    def __init__(self, url: str, username: str | None = None, password: str | None = None,
                 timeout: float = 30.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout
        self._auth = None
        if username:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"

    def _call(self, endpoint: str, params: list[tuple[str, str]] | None = None, post: bool = False) -> Any:
        data = urllib.parse.urlencode(params or []).encode()
        url = urllib.parse.urljoin(self.url, endpoint)
        if not post and params:
            url, data = f"{url}?{data.decode()}", None
        request = urllib.request.Request(url, data=data if post else None,
                                         method="POST" if post else "GET")
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ScheduleError(f"scrapyd at {self.url} did not answer {endpoint}: {exc}") from None
        if isinstance(answer, dict) and answer.get("status") == "error":
            raise ScheduleError(f"scrapyd {endpoint}: {answer.get('message')}")
        return answer

    def schedule(self, project: str, spider: str, job: str, settings: dict[str, str],
                 args: dict[str, str], version: str | None = None) -> str:
        params = [("project", project), ("spider", spider), ("jobid", job)]
        if version:
            params.append(("_version", version))
        params += [("setting", f"{k}={v}") for k, v in settings.items()]
        params += list(args.items())
        return self._call("schedule.json", params, post=True)["jobid"]

    def jobs(self, project: str) -> dict[str, list[dict[str, Any]]]:
        return self._call("listjobs.json", [("project", project)])
