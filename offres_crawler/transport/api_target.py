"""Which requests are API requests, and the download slots of the transport.

API requests are those under `OFFRES_API_URL`: they are paced, authorized, retried. The token
request (under `OFFRES_TOKEN_URL`, possibly on the same host and port in the sandbox) has its own
download slot and is never paced with them, nor counted in their stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.settings import BaseSettings

API_SLOT = "offres-api"
TOKEN_SLOT = "offres-token"
# meta key: generation number (not the value!) of the token an API request was sent with
TOKEN_GENERATION_META = "offres_token_generation"


class ApiTarget:
    def __init__(self, settings: BaseSettings) -> None:
        self.api_url: str = settings.get("OFFRES_API_URL").rstrip("/")
        self.token_url: str = settings.get("OFFRES_TOKEN_URL")

    def is_api_request(self, request: Request) -> bool:
        url, base = request.url, self.api_url
        # under the base URL itself, not merely sharing its prefix (".../offresdemploiv3")
        return url.startswith(base) and url[len(base):len(base) + 1] in ("/", "?", "")
