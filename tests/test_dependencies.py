"""Dependencies: what the package imports is declared (a crawl needs no extra), what is declared
is used and bounded, installs are pinned by constraints.txt, the version lives in one place,
and the private Scrapy attributes the project relies on still exist in the installed Scrapy.

A real crawl-only install in a fresh venv takes a minute: CI does it (.ci/crawl_only_install);
here the same promises are checked in seconds, with the extras' imports blocked."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import offres_crawler

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "offres_crawler"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRA_MODULES = ("aiohttp", "pandas", "matplotlib", "duckdb", "polars")
# Imported by the crawler but installed by Scrapy, which pins compatible versions of them.
VIA_SCRAPY = {"twisted", "OpenSSL", "zope", "w3lib"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def _third_party_imports(path: Path) -> dict[str, bool]:
    """{top-level module: imported at module level (not in a function, not for type hints)}."""
    found: dict[str, bool] = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = False
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and not child.level and child.module:
                names = [child.module]
            for name in names:
                module = name.split(".")[0]
                if module not in sys.stdlib_module_names and module not in ("offres_crawler", "__future__"):
                    found[module] = found.get(module, False) or top
            visit(child, inner)

    visit(tree, True)
    return found


def test_every_import_is_declared_and_the_crawl_needs_no_extra():
    distributions = metadata.packages_distributions()
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = {_name(r) for group, reqs in PYPROJECT["project"]["optional-dependencies"].items()
              if group not in ("test", "all") for r in reqs}
    undeclared, crawl_needs_extra, used = [], [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        part = path.relative_to(PACKAGE).parts
        optional_part = part[0] == "sandbox" or part[:2] == ("analysis", "report")
        for module, at_top in _third_party_imports(path).items():
            names = {d.lower() for d in distributions.get(module, [module])}
            used |= names
            if module in VIA_SCRAPY:
                continue
            if not names & (core | extras):
                undeclared.append(f"{path.relative_to(ROOT)}: {module}")
            elif at_top and not optional_part and not names & core:
                crawl_needs_extra.append(f"{path.relative_to(ROOT)}: {module}")
    assert undeclared == [], "imported but not declared in pyproject.toml"
    assert crawl_needs_extra == [], "imported at module level by the crawler, but only in an extra"
    assert sorted(core - used) == [], "declared but never imported"
    # an extra's package is imported, or read as data by its distribution name (the sandbox's ROME list)
    sources = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    read_by_name = {name for name in extras if f'"{name}"' in sources}
    assert sorted(extras - used - read_by_name) == [], "declared in an extra but never used"


def test_every_dependency_has_an_upper_bound():
    project = PYPROJECT["project"]
    requirements = [*project["dependencies"], *PYPROJECT["build-system"]["requires"],
                    *(r for group, reqs in project["optional-dependencies"].items() if group != "all"
                      for r in reqs)]
    unbounded = [r for r in requirements if "<" not in r and "==" not in r]
    assert unbounded == []


def test_the_constraints_pin_every_installed_dependency():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version.strip()
    assert "offres-crawler" not in pins and pins
    for requirement in [*PYPROJECT["project"]["dependencies"],
                        *(r for reqs in PYPROJECT["project"]["optional-dependencies"].values() for r in reqs)]:
        name = _name(requirement).replace("_", "-")
        if name == "offres-crawler":
            continue
        assert name in pins, f"{name} is not pinned in constraints.txt (make constraints)"
        assert metadata.version(name) == pins[name], (
            f"{name} {metadata.version(name)} is installed, constraints.txt pins {pins[name]}: "
            f"run `make venv`, or `make constraints` after a deliberate upgrade")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-c $(CONSTRAINTS)" in makefile and "CONSTRAINTS := constraints.txt" in makefile
    assert "-c /opt/offres/checkout/constraints.txt" in (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def test_one_version_in_one_place():
    assert PYPROJECT["project"]["dynamic"] == ["version"] and "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "offres_crawler.__version__"}
    assert metadata.version("offres-crawler") == offres_crawler.__version__
    from offres_crawler import settings

    assert settings.USER_AGENT.startswith(f"offres-crawler/{offres_crawler.__version__} ")
    others = [str(p.relative_to(ROOT)) for p in [*PACKAGE.rglob("*.py"), ROOT / "README.md"]
              if p.name != "__init__.py" and re.search(r"""["']0\.1(\.0)?["']""", p.read_text(encoding="utf-8"))]
    assert others == []
    cli = subprocess.run([sys.executable, "-m", "offres_crawler.cli", "--version"], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    assert cli.stdout.startswith(f"offres-crawler {offres_crawler.__version__} (Scrapy ")
    assert (PACKAGE / "py.typed").is_file() and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert PYPROJECT["project"]["license"] == "MIT"


BLOCK_EXTRAS = f"""
import importlib.abc, sys
class NoExtras(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRA_MODULES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, NoExtras())
"""

CRAWL_ONLY = BLOCK_EXTRAS + """
import importlib, json, pkgutil
import offres_crawler
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

loaded = []
for info in pkgutil.walk_packages(offres_crawler.__path__, "offres_crawler."):
    if info.name.startswith(("offres_crawler.sandbox", "offres_crawler.analysis.report")) \
            or info.name.endswith("__main__"):
        continue
    importlib.import_module(info.name)
    loaded.append(info.name)
spiders = sorted(SpiderLoader.from_settings(get_project_settings()).list())
hints = {}
for name, call in {
    "sandbox": lambda: importlib.import_module("offres_crawler.sandbox"),
    "report": lambda: importlib.import_module("offres_crawler.analysis.report"),
    "duckdb": lambda: offres_crawler.utils.load_snapshot("/", engine="duckdb"),
    "pandas": lambda: offres_crawler.utils.filters_to_df([]),
}.items():
    try:
        call()
    except ModuleNotFoundError as exc:
        hints[name] = str(exc)
print(json.dumps({"modules": loaded, "spiders": spiders, "hints": hints}))
"""


def test_a_crawl_only_install_imports_the_whole_crawler_and_names_the_missing_extras(tmp_path):
    """In a process where the extras cannot be imported (a crawl-only install)."""
    run = subprocess.run([sys.executable, "-c", CRAWL_ONLY], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "offres_crawler.settings",
                              "PATH": "/usr/bin:/bin"}, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.splitlines()[-1])
    assert {"offres_crawler.addon", "offres_crawler.commands.crawl", "offres_crawler.cli.schedule",
            "offres_crawler.analysis.readers", "offres_crawler.spiders.offres_search"} <= set(found["modules"])
    assert found["spiders"] == ["offres_detail", "offres_search", "referentiels"]
    assert found["hints"] == {
        "sandbox": "the sandbox needs aiohttp, which is not installed: pip install 'offres-crawler[sandbox]'",
        "report": "the HTML report needs pandas, which is not installed: pip install 'offres-crawler[report]'",
        "duckdb": "engine='duckdb' needs duckdb, which is not installed: pip install 'offres-crawler[analysis]'",
        "pandas": "filters_to_df needs pandas, which is not installed: pip install 'offres-crawler[analysis]'",
    }
    report = subprocess.run([sys.executable, "-c", BLOCK_EXTRAS + "from offres_crawler.cli import main; "
                             "sys.exit(main(['report', '.']))"], capture_output=True, text=True, cwd=ROOT,
                            timeout=120, check=False)
    assert report.returncode == 1
    assert report.stderr.strip().endswith("pip install 'offres-crawler[report]'")


@pytest.fixture(scope="module")
def scrapy_internals() -> dict:
    run = subprocess.run([sys.executable, "-m", "tests.scrapy_internals"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def test_the_private_scrapy_attributes_the_project_relies_on_still_exist(scrapy_internals):
    found = scrapy_internals
    assert found["uses"] > 0 and found["checked"] == found["uses"], "the probe's checks did not all run"
    if found["missing"]:
        pytest.fail("\n".join(
            f"Scrapy {found['scrapy']} (Twisted {found['twisted']}) no longer has {m['attribute']}, "
            f"used by {m['where']} ({m['error']}): adapt that code, or bound scrapy below "
            f"{found['scrapy']} in pyproject.toml" for m in found["missing"]))
