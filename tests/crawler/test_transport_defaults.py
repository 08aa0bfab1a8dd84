"""Safe defaults, exit codes and the settings that switch the transport on."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from offres_crawler.addon import OffresAddon
from tests.crawler.transport_crawl import run_probe


@pytest.fixture(scope="module")
def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("offres_crawler.settings", priority="project")
    return settings


def test_safe_defaults(project_settings):
    assert project_settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert project_settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert project_settings.getbool("ROBOTSTXT_OBEY") is False
    assert project_settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert project_settings["USER_AGENT"].startswith("offres-crawler/")


def test_scrapy_retry_is_replaced_by_the_api_retry(project_settings):
    from scrapy.downloadermiddlewares.retry import RetryMiddleware

    from offres_crawler.transport.retry import ApiRetryMiddleware

    assert project_settings.getdict("ADDONS") == {"offres_crawler.addon.OffresAddon": 0}
    settings = project_settings.copy()
    OffresAddon().update_settings(settings)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[RetryMiddleware] is None
    assert middlewares[ApiRetryMiddleware] == 550
    assert project_settings["COMMANDS_MODULE"] == "offres_crawler.commands"


def test_defaults_are_in_force_in_a_real_crawl(sandbox_factory, tmp_path, project_settings):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    run = run_probe(sandbox, tmp_path, "-a", "requests=2", "-a", "window=5")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Telnet console listening" not in run.log
    assert "scrapy.extensions.telnet" not in run.log
    assert "scrapy.extensions.remote_control" not in run.log
    assert sandbox.stats()["requests"]["other"] == {}  # no robots.txt or anything else asked
    user_agents = {s["user_agent"] for s in run.sends}
    assert user_agents == {project_settings["USER_AGENT"]}  # the token request's too
