"""`offres-crawler report`: a self-contained HTML page from a sandbox snapshot, rendered in
headless Chromium (a screenshot is taken and checked)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from offres_crawler.cli import main as cli_main
from offres_crawler.deltas.writer import write_deltas
from offres_crawler.report.frame import departement, offers_frame
from offres_crawler.utils import load_snapshot
from tests.analysts.snapshots import market_filtres, sandbox_market, write_snapshot

ROOT = Path(__file__).resolve().parents[2]
DAY1, DAY2 = "2025-10-08", "2025-10-09"
CHARTS = 6  # contract, département, ROME domain, timeline, salaries, deltas
BLUE = (0x1F, 0x5F, 0xA8)  # the bars' colour (report/plots.py COLOR)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars")


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Two daily snapshots of a sandbox market (offers withdrawn, created and updated between
    them) and the deltas of the second, computed by offres_crawler.deltas."""
    market = sandbox_market(offers=1500, seed=21)
    offers = market.offers(list(range(market.n)))
    day2 = [dict(o) for o in offers[200:]]
    for offer in day2[:100]:
        offer["dateActualisation"] = "2025-10-09T06:00:00.000Z"
    base = tmp_path_factory.mktemp("report")
    root = base / "offres"
    write_snapshot(root, DAY1, offers[:1200], filtres=market_filtres(market))
    write_snapshot(root, DAY2, day2, filtres=market_filtres(market), part_rows=500)
    deltas = write_deltas(root, DAY2, base / "offres_deltas")
    assert deltas["counts"]["created"] == 300 and deltas["counts"]["withdrawn"] == 200
    return root, day2


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "offres_crawler.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def page(history):
    root, _ = history
    output = root.parent / "out" / "report.html"
    run = _run_cli("report", str(root), "-o", str(output), cwd=root.parent)
    assert run.returncode == 0, run.stderr
    assert "Report written to" in run.stderr
    return output


def test_page_is_self_contained(page):
    html = page.read_text(encoding="utf-8")
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', html)
    assert len(images) == CHARTS
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    without_images = re.sub(r'src="data:[^"]+"', "", html)
    assert not re.search(r"<script|<link|<iframe|src=|url\(|@import", without_images, re.IGNORECASE)


def test_page_content(page, history):
    root, offers = history
    html = page.read_text(encoding="utf-8")
    assert f"instantané du {DAY2}" in html  # the latest snapshot of the root
    offers_row = re.search(r"<th>Offres</th><td>([^<]+)</td>", html).group(1)
    assert int(offers_row.replace("\u202f", "")) == len(offers)
    assert "Source : France Travail, API Offres d&#x27;emploi v2, offres mises à jour le" in html
    assert "Licence Offres d&#x27;emploi (France Travail)" in html
    assert "Pas de deltas" not in html
    # the facets of the run report, as filters_to_df reads them
    assert "<th>typeContrat</th>" in html and "<th>natureContrat</th>" in html


def test_report_data(history):
    root, offers = history
    frame = offers_frame(root / f"snapshot_date={DAY2}")
    assert frame["id"].tolist() == [o["id"] for o in offers]
    assert frame["typeContrat"].value_counts().to_dict() == Counter(o["typeContrat"] for o in offers)
    assert frame["grand_domaine"].value_counts().to_dict() == Counter(o["romeCode"][0] for o in offers)
    with_salary = frame["salary_source"].notna()
    stated = [o for o in offers if re.search(r"\d", o.get("salaire", {}).get("libelle", ""))]
    assert with_salary.sum() >= len(stated) > 100
    plausible = frame[frame["salary_plausible"] == True]  # noqa: E712
    assert plausible["annual_mid"].between(3000, 300000).all()
    without_dept = sum(1 for o in offers if departement(o["lieuTravail"].get("libelle"),
                                                         o["lieuTravail"].get("codePostal"),
                                                         o["lieuTravail"].get("commune")) is None)
    assert frame["departement"].isna().sum() == without_dept > 0
    assert len(load_snapshot(root, columns=["id"])) == 1200 + len(offers)


@pytest.mark.parametrize(("args", "expected"), [
    (("69 - LYON 03", "69003", "69383"), "69"), (("2A - AJACCIO", "20000", "2A004"), "2A"),
    (("971 - LE GOSIER", "97190", "97113"), "971"), (("75 - Paris (Dept.)", None, None), "75"),
    (("Ile-de-France", None, None), None), (("France", None, None), None),
    ((None, "33000", None), "33"), ((None, "20000", None), None), ((None, None, "2B033"), "2B"),
])
def test_departement(args, expected):
    assert departement(*args) == expected


def test_cli_errors(tmp_path, capsys):
    assert cli_main(["report", str(tmp_path / "none"), "-o", str(tmp_path / "r.html")]) == 1
    assert cli_main(["report", str(tmp_path), "-o", str(tmp_path / "r.html")]) == 1  # no offers there
    with pytest.raises(SystemExit) as exc:
        cli_main([])
    assert exc.value.code == 2
    assert not (tmp_path / "r.html").exists()


def _chromium() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def test_page_renders_in_headless_chromium(page, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium binary on PATH (Debian: apt-get install -y chromium)")
    from PIL import Image

    shot = tmp_path / "report.png"
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
           "--window-size=1100,4000", f"--screenshot={shot}", page.as_uri()]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "HOME": str(tmp_path)})
    try:
        _, stderr = proc.communicate(timeout=90)
    finally:
        try:  # the browser's helper processes share its new session: end them all
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert shot.is_file(), stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 4000)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # text, charts and anti-aliasing: not a blank page
    bar_pixels = sum(count for count, rgb in colours
                     if all(abs(c - b) <= 6 for c, b in zip(rgb, BLUE)))
    assert bar_pixels > 20_000  # the embedded charts were decoded and drawn
