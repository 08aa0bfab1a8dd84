"""The `offres-crawler` command line: `offres-crawler <subcommand> ...`.

Each subcommand lives in its own module exposing HELP, `configure(parser)` and `run(args) -> int`
(the exit code), listed in SUBCOMMANDS: adding one (`schedule`, `deltas`, ...) is one line here.
Modules are imported when the command line is built, so they keep their heavy imports (pandas,
matplotlib) inside `run`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import platform
import sys
from importlib import metadata

from offres_crawler import __version__

SUBCOMMANDS: dict[str, str] = {
    "report": "offres_crawler.cli.report",
    "schedule": "offres_crawler.cli.schedule",  # the day's snapshot on scrapyd (docs/operations.md)
    "deltas": "offres_crawler.cli.deltas",  # created/updated/withdrawn of a snapshot, by hand
    "history": "offres_crawler.cli.history",  # every offer's life across snapshots, by hand
}


def version_line() -> str:
    """`offres-crawler --version`: this project's version, and Scrapy's and Python's."""
    try:
        scrapy = metadata.version("scrapy")
    except metadata.PackageNotFoundError:
        scrapy = "not installed"
    return f"offres-crawler {__version__} (Scrapy {scrapy}, Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="offres-crawler",
                                     description="Tools around the France Travail job-offers harvest.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--version", action="version", version=version_line())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
