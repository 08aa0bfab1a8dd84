"""`offres-crawler report`: a self-contained HTML page in French from a sandbox snapshot (charts,
the tables behind them and their CSV downloads, the run's figures, names from the reference
lists), rendered in headless Chromium (a screenshot is taken and checked)."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from html import escape
from pathlib import Path

import pytest

from offres_crawler.analysis import attribution
from offres_crawler.analysis.report.frame import departement, offers_frame
from offres_crawler.analysis.report.page import build_report
from offres_crawler.cli import main as cli_main
from offres_crawler.snapshot.deltas_writer import write_deltas
from offres_crawler.utils import load_snapshot
from tests import spawn
from tests.analysts.snapshots import market_filtres, sandbox_market, write_snapshot

ROOT = Path(__file__).resolve().parents[2]
DAY1, DAY2 = "2025-10-08", "2025-10-09"
CHARTS = 7  # contract, département, ROME grand domaine, métiers, timeline, salaries, deltas
RUN = {"requests": {"total": 136, "by_purpose": {"root": 1, "head": 2, "slice": 133}, "lower_bound": 134},
       "completeness": {"expected": 1300, "missing": 0, "collected_unique": 1300, "ratio": 1.0},
       "transport": {"retries": 2, "429": 0, "failures": 0, "tokens": 1}, "duration_s": 3723.4,
       "started_at": "2025-10-09T04:00:00+00:00",
       "verdict": {"complete": True, "exit_code": 0, "finish_reason": "finished", "reasons": [],
                   "status": "complete"}}
BLUE = (0x1F, 0x5F, 0xA8)  # the bars' colour (analysis/report/plots.py COLOR)
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
    write_snapshot(root, DAY2, day2, filtres=market_filtres(market), part_rows=500, run=RUN)
    deltas = write_deltas(root, DAY2, base / "offres_deltas")
    assert deltas["counts"]["created"] == 300 and deltas["counts"]["withdrawn"] == 200
    return root, day2


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return spawn.run([sys.executable, "-m", "offres_crawler.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def page(history):
    root, _ = history
    output = root.parent / "out" / "report.html"
    run = _run_cli("report", str(root), "-o", str(output), cwd=root.parent)
    assert run.returncode == 0, run.stderr
    assert "Report written to" in run.stderr
    return output


def csv_downloads(html: str) -> dict[str, list[list[str]]]:
    """Every CSV download of the page: {file name: rows}, decoded from its data: URI."""
    out = {}
    for name, uri in re.findall(r'<a download="([^"]+)" href="([^"]+)"', html):
        assert uri.startswith("data:text/csv;charset=utf-8;base64,"), uri[:60]
        text = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
        assert text.startswith("\ufeff")  # the byte order mark: Excel reads the accents right
        out[name] = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    return out


def counts_of(rows: list[list[str]], key: int = 0) -> dict[str, int]:
    """{code: offers} of a counts table's CSV (columns code, libellé, offres, part)."""
    header, *body = rows
    assert header[2] == "offres"
    return {row[key]: int(row[2]) for row in body}


def test_page_is_self_contained(page):
    html = page.read_text(encoding="utf-8")
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', html)
    assert len(images) == CHARTS
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(link.startswith("data:text/csv;") for link in links)
    without_data = re.sub(r'(src|href)="data:[^"]+"', "", html)
    assert not re.search(r"<script|<link|<iframe|src=|href=|url\(|@import", without_data, re.IGNORECASE)


def test_page_content(page, history):
    root, offers = history
    html = page.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and f"instantané du {DAY2}" in html  # the latest snapshot of the root
    offers_row = re.search(r"<th>Offres</th><td>([^<]+)</td>", html).group(1)
    assert int(offers_row.replace("\u202f", "")) == len(offers)
    assert "Source : France Travail, API Offres d&#x27;emploi v2, offres mises à jour le 9 octobre 2025" in html
    assert "Licence Offres d&#x27;emploi (France Travail)" in html
    assert escape(attribution.LICENCE_NOTES_FR) in html and attribution.LICENCE_NOTES not in html
    assert "Pas de deltas" not in html
    # the facets of the run report, as filters_to_df reads them, with French names
    assert "<h3>Type de contrat</h3>" in html and "<h3>Nature du contrat</h3>" in html
    assert "<td>Contrat apprentissage</td>" in html and "<td>Cadre</td>" in html


def test_run_figures(page):
    html = page.read_text(encoding="utf-8")
    figures = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", html))
    assert figures["Verdict"] == "collecte complète (code de sortie 0)"
    assert figures["Requêtes de recherche"] == "136"
    assert figures["Minimum possible (borne inférieure)"] == "134"
    assert figures["dont"] == "recherche racine : 1, têtes de passe : 2, tranches : 133"
    assert figures["Offres annoncées par l&#x27;API"] == "1\u202f300"
    assert figures["Complétude"] == "100,0 %"
    assert figures["Durée"] == "1 h 02 min"
    assert figures["Nouvelles tentatives / réponses 429 / échecs définitifs"] == "2 / 0 / 0"


def test_every_request_purpose_and_verdict_reason_has_its_french_name():
    from offres_crawler.analysis.report.sections import PURPOSES, REASONS, STATUS
    from offres_crawler.harvest.ledger import Purpose
    from offres_crawler.harvest.verdict import ReasonCode

    assert set(PURPOSES) == {p.value for p in Purpose}
    assert all(name != purpose for purpose, name in PURPOSES.items())  # not the report's English key
    assert set(REASONS) == {r.value for r in ReasonCode}  # else the verdict's English text is shown
    assert set(STATUS) == {"complete", "incomplete", "failed"}


def test_the_numbers_behind_every_chart(page, history):
    _, offers = history
    html = page.read_text(encoding="utf-8")
    tables = csv_downloads(html)
    assert {"offres_par_type_de_contrat.csv", "offres_par_departement.csv", "offres_par_grand_domaine.csv",
            "offres_par_metier.csv", "creations_par_jour.csv", "salaires_par_contrat.csv",
            "deltas.csv"} <= set(tables)
    assert counts_of(tables["offres_par_type_de_contrat.csv"]) == Counter(o["typeContrat"] for o in offers)
    assert counts_of(tables["offres_par_grand_domaine.csv"]) == Counter(o["romeCode"][0] for o in offers)
    assert counts_of(tables["offres_par_metier.csv"]) == Counter(o["romeCode"] for o in offers)
    depts = Counter(d for o in offers if (d := departement(o["lieuTravail"].get("libelle"),
                                                         o["lieuTravail"].get("codePostal"),
                                                         o["lieuTravail"].get("commune"))))
    assert counts_of(tables["offres_par_departement.csv"]) == depts
    # names: the built-in départements, the métiers' labels carried by the offers, shares with a decimal comma
    header, *rows = tables["offres_par_departement.csv"]
    assert header == ["code", "département", "offres", "part (%)"]
    by_code = {row[0]: row for row in rows}
    assert by_code["69"][1] == "Rhône" and by_code["2A"][1] == "Corse-du-Sud"
    assert float(by_code["69"][3].replace(",", ".")) == pytest.approx(100 * depts["69"] / sum(depts.values()), abs=0.01)
    metiers = {row[0]: row[1] for row in tables["offres_par_metier.csv"][1:]}
    assert all(metiers[o["romeCode"]] == o["romeLibelle"] for o in offers)
    timeline = tables["creations_par_jour.csv"]
    assert sum(int(row[-1]) for row in timeline[1:]) == len(offers)
    assert timeline[0] == ["jour (début)", "France Travail", "Partenaires", "total"]
    assert tables["deltas.csv"][1:] == [[DAY2, "300", "100", "200"]]
    header, *salaries = tables["salaires_par_contrat.csv"]
    assert header[:3] == ["code", "type de contrat", "offres"] and salaries
    assert all(int(q1) <= int(med) <= int(q3) for *_, q1, med, q3, _mean in salaries)
    # and each table is on the page too
    assert html.count("<details>") >= CHARTS


def write_referentiels(directory: Path, market, relabel: str) -> Path:
    """The lists as `scrapy crawl referentiels` writes them (one <name>.jsonl each), with the
    départements' and métiers' names marked by `relabel`, to see which source the page used."""
    directory.mkdir(parents=True)
    for name, entries in market.referentiels.items():
        with open(directory / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for entry in entries:
                if name in ("departements", "metiers"):
                    entry = {**entry, "libelle": f"{entry['libelle']} {relabel}"}
                f.write(json.dumps({"referentiel": name, **entry}, ensure_ascii=False) + "\n")
    return directory


def test_names_from_the_reference_lists(history, tmp_path):
    root, offers = history
    market = sandbox_market(offers=1500, seed=21)
    refs = write_referentiels(tmp_path / "referentiels" / "2025-10-01", market, "(réf.)")
    html = build_report(root, referentiels=refs)
    tables = csv_downloads(html)
    depts = {row[0]: row[1] for row in tables["offres_par_departement.csv"][1:]}
    assert depts["69"] == "Rhône (réf.)"
    metiers = {row[0]: row[1] for row in tables["offres_par_metier.csv"][1:]}
    assert all(metiers[o["romeCode"]].endswith(" (réf.)") for o in offers)
    assert escape(f"référentiels de l'API lus dans {refs}") in html
    # one JSONL feed of every list (`scrapy crawl referentiels -O refs.jsonl`) works as well
    feed = tmp_path / "refs.jsonl"
    feed.write_text("".join(p.read_text(encoding="utf-8") for p in sorted(refs.glob("*.jsonl"))), encoding="utf-8")
    assert csv_downloads(build_report(root, referentiels=feed))["offres_par_departement.csv"] == \
        tables["offres_par_departement.csv"]


def test_the_command_takes_the_latest_reference_lists_by_default(history, tmp_path):
    root, _ = history
    market = sandbox_market(offers=1500, seed=21)
    write_referentiels(tmp_path / "output" / "referentiels" / "2025-10-01", market, "(ancien)")
    write_referentiels(tmp_path / "output" / "referentiels" / "2025-10-05", market, "(récent)")
    run = _run_cli("report", str(root), "-o", "r.html", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Names from the reference lists in output/referentiels/2025-10-05" in run.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Rhône (récent)" in html and "(ancien)" not in html
    run = _run_cli("report", str(root), "-o", "r2.html", "--referentiels", "output/referentiels/2025-10-01",
                   cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Rhône (ancien)" in (tmp_path / "r2.html").read_text(encoding="utf-8")


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


def test_cli_errors(tmp_path, capsys, history):
    assert cli_main(["report", str(tmp_path / "none"), "-o", str(tmp_path / "r.html")]) == 1
    assert cli_main(["report", str(history[0]), "-o", str(tmp_path / "r.html"),
                     "--referentiels", str(tmp_path / "nowhere")]) == 1
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
    proc = spawn.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


def test_without_its_extra_the_report_says_how_to_install_it(history, tmp_path):
    root, _ = history
    output = tmp_path / "r.html"
    code = ("import sys; sys.modules['matplotlib'] = None; from offres_crawler.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    run = spawn.run([sys.executable, "-c", code, "report", str(root), "-o", str(output)], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 1
    assert "the HTML report needs matplotlib, which is not installed" in run.stderr
    assert "pip install 'offres-crawler[report]'" in run.stderr and "Traceback" not in run.stderr
    assert not output.exists()
