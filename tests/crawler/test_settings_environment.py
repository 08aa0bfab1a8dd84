"""OFFRES_API_URL and OFFRES_TOKEN_URL from the environment, like the credentials: the two lines
the sandbox prints, exported as they are, point a crawl at it; `-s` still wins; settings.py's
values are only the defaults (offres_crawler/addon.py, transport/environment.py)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest
from scrapy.settings import Settings

from offres_crawler import settings as project
from offres_crawler.addon import settings_from_environment
from tests.crawler.transport_crawl import ROOT, crawl_env
from tests.sandbox.httpclient import configured

DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(scope="module")
def sb(sandbox):
    with configured(sandbox, rate_limit=50):
        yield sandbox


def crawl_in_bash(tmp_path, sb, exports: list[str], *args: str) -> subprocess.CompletedProcess:
    """`export LINE` for each line, then `scrapy crawl ...`, in bash, as a user would type it."""
    scrapy = [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"LOG_FILE={tmp_path / 'run.log'}",
              "-s", "OFFRES_RATE_LIMIT=40", "-s", "OFFRES_RETRY_TIMES=0", "-s", "OFFRES_TOKEN_RETRY_TIMES=0",
              "-s", f"OFFRES_SEARCH_REPORT={tmp_path / 'report.json'}",
              "-s", f"OFFRES_REJECTS_URI={tmp_path / 'rejects.jsonl'}",
              "-s", f"OFFRES_REFERENTIELS_REPORT={tmp_path / 'ref_report.json'}"]
    script = "".join(f"export {line}\n" for line in exports) + "exec " + shlex.join(scrapy)
    return subprocess.run(["bash", "-c", script], cwd=ROOT, env=crawl_env(sb), capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_sandbox_s_printed_lines_exported_as_they_are_point_a_crawl_at_it(tmp_path, sb):
    before = sb.stats()["requests"]["search"]
    out = tmp_path / "offres.jsonl"
    assert [line.partition("=")[0] for line in sb.printed] == ["OFFRES_API_URL", "OFFRES_TOKEN_URL"]
    run = crawl_in_bash(tmp_path, sb, sb.printed, "offres_search", "-a", "motsCles=cuisinier",
                        "-O", str(out))
    assert run.returncode == 0, run.stderr[-2000:]
    offers = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["complete"] and len(offers) == report["root"]["total"] > 0
    after = sb.stats()["requests"]["search"]
    assert sum(after.values()) - sum(before.values()) == report["requests"]["total"]


def test_s_wins_over_the_environment(tmp_path, sb):
    before = sb.stats()["requests"]["referentiel"].get("200", 0)
    dead = [f"OFFRES_API_URL={DEAD}/partenaire/offresdemploi",
            f"OFFRES_TOKEN_URL={DEAD}/connexion/oauth2/access_token?realm=%2Fpartenaire"]
    out = tmp_path / "types.jsonl"
    run = crawl_in_bash(tmp_path, sb, dead, "referentiels", "-a", "names=typesContrats", "-O", str(out),
                        "-s", f"OFFRES_API_URL={sb.api_url}", "-s", f"OFFRES_TOKEN_URL={sb.token_url}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(out.read_text("utf-8").splitlines()) == 11  # the typesContrats list
    assert sb.stats()["requests"]["referentiel"]["200"] == before + 1


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule(project, "project")
    return settings


def test_the_environment_replaces_only_the_defaults(monkeypatch):
    monkeypatch.setenv("OFFRES_API_URL", " http://127.0.0.1:8765/partenaire/offresdemploi \n")
    monkeypatch.setenv("OFFRES_TOKEN_URL", "")  # blank: unset
    defaults = project_settings()
    settings_from_environment(defaults)
    assert defaults["OFFRES_API_URL"] == "http://127.0.0.1:8765/partenaire/offresdemploi"
    assert defaults["OFFRES_TOKEN_URL"] == project.OFFRES_TOKEN_URL
    for value, priority in (("https://cmdline.example/api", "cmdline"), ("https://spider.example/api", "spider"),
                            ("https://script.example/api", "project")):
        settings = project_settings()
        settings.set("OFFRES_API_URL", value, priority)
        settings_from_environment(settings)
        assert settings["OFFRES_API_URL"] == value  # set by the user: kept
    bare = Settings()  # a project of its own, with the add-on but not our settings.py
    settings_from_environment(bare)
    assert bare["OFFRES_API_URL"] == "http://127.0.0.1:8765/partenaire/offresdemploi"
