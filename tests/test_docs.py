"""The README and docs/ stay true: their links resolve, and every OFFRES_ setting the code reads
is documented somewhere a user looks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_relative_links_resolve():
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#]+)\)", doc.read_text(encoding="utf-8")):
            if "://" not in target and not (doc.parent / target).exists():
                broken.append(f"{doc.name}: {target}")
    assert broken == []


def test_every_setting_read_by_the_code_is_documented():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "offres_crawler").rglob("*.py"))
    read = set(re.findall(r"""["'](OFFRES_[A-Z_]+)["']""", code))
    documented = set(re.findall(r"OFFRES_[A-Z_]+", "\n".join(d.read_text(encoding="utf-8") for d in DOCS)))
    assert read, "no OFFRES_ setting found: the pattern is wrong"
    assert sorted(read - documented) == []


def test_every_spider_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spiders = {m for p in (ROOT / "offres_crawler" / "spiders").glob("*.py")
               for m in re.findall(r'^\s+name = "(\w+)"', p.read_text(encoding="utf-8"), re.M)}
    assert spiders == {"offres_search", "referentiels", "offres_detail"}
    assert all(f"scrapy crawl {name}" in readme for name in spiders)
