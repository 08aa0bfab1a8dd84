"""`make demo`: the main job in one command.

With OFFRES_CLIENT_ID and OFFRES_CLIENT_SECRET in the environment it harvests the real API; without
them it starts the embedded sandbox (a separate process, talked to over HTTP only) and runs the same
job against it, then prints a short summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

SANDBOX_CLIENT_ID = "PAR_sandbox_demo"
SANDBOX_CLIENT_SECRET = "sandbox-secret-do-not-use-in-production"
DEMO_OFFERS = 20_000


def start_sandbox(*args: str) -> tuple[subprocess.Popen, dict[str, str]]:
    cmd = [sys.executable, "-m", "offres_crawler.sandbox", "--host", "127.0.0.1", "--port", "0",
           "--client-id", SANDBOX_CLIENT_ID, "--client-secret", SANDBOX_CLIENT_SECRET, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    urls: dict[str, str] = {}
    while len(urls) < 2:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sandbox did not start (see its messages above)")
        key, sep, value = line.strip().partition("=")
        if sep and key.startswith("OFFRES_"):
            urls[key] = value
    return proc, urls


def fetch_token(token_url: str, client_id: str, client_secret: str) -> dict:
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client_id,
                                   "client_secret": client_secret,
                                   "scope": "api_offresdemploiv2 o2dsoffre"}).encode()
    req = urllib.request.Request(token_url, data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def one_search_page(api_url: str, token: str) -> tuple[int, str, dict]:
    req = urllib.request.Request(f"{api_url}/v2/offres/search?range=0-149&sort=1",
                                 headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Range", ""), json.loads(resp.read() or b"{}")


def main() -> int:
    real = bool(os.environ.get("OFFRES_CLIENT_ID") and os.environ.get("OFFRES_CLIENT_SECRET"))
    if real:
        print("Credentials found in the environment: the real API would be harvested, but the "
              "offres_search spider is not there yet. Unset OFFRES_CLIENT_ID to run the sandbox demo.")
        return 0
    Path("output").mkdir(exist_ok=True)
    started = time.monotonic()
    proc, urls = start_sandbox("--offers", str(DEMO_OFFERS))
    try:
        print(f"sandbox up: {urls['OFFRES_API_URL']}")
        token = fetch_token(urls["OFFRES_TOKEN_URL"], SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
        print(f"token: {token['token_type']}, expires in {token['expires_in']} s (value not shown)")
        status, content_range, page = one_search_page(urls["OFFRES_API_URL"], token["access_token"])
        print(f"search: HTTP {status}, Content-Range: {content_range}, "
              f"{len(page.get('resultats', []))} offers on the first page")
        for offer in page.get("resultats", [])[:3]:
            print(f"  {offer.get('id')}  {offer.get('dateCreation')}  {offer.get('intitule')}")
        for facet in page.get("filtresPossibles", []):
            values = ", ".join(f"{a['valeurPossible']}={a['nbResultats']}" for a in facet["agregation"])
            print(f"  {facet['filtre']}: {values}")
        print(f"done in {time.monotonic() - started:.1f} s")
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
