"""`fieldsim serve` / `fieldsim check`: argument parsing only."""
from __future__ import annotations

import argparse
import os
import sys

from simulators import API_NAMES


def _serve_parser(sub):
    p = sub.add_parser("serve", help="serve the simulated APIs (gunicorn or granian)")
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1: loopback only)")
    p.add_argument("--port", type=int, default=None, help="port (default 8080)")
    p.add_argument("--api", action="extend", nargs="+", choices=API_NAMES, metavar="NAME",
                   help=f"serve only these APIs: --api capo werkbon, or --api capo --api werkbon ({', '.join(API_NAMES)})")
    p.add_argument("--seed", type=int, default=None, help="demo data seed (default 42)")
    p.add_argument("--scale", choices=("small", "medium", "large"), default=None)
    p.add_argument("--state", default=None, help="memory | sqlite:///PATH | redis://HOST:PORT/DB")
    p.add_argument("--config", default=None, help="YAML or JSON config file")
    p.add_argument("--admin-token", default=None, help="require Authorization: Bearer T on /__admin")
    p.add_argument("--server", choices=("gunicorn", "granian"), default=None,
                   help="gunicorn (default; exact connection drops) or granian (about twice the throughput)")
    p.add_argument("--workers", type=int, default=None, help="processes (more than 1 needs --state redis://)")
    p.add_argument("--threads", type=int, default=None, help="threads per process")
    p.add_argument("--quiet", action="store_true", help="do not print the banner")
    return p


def _check_parser(sub):
    p = sub.add_parser("check", help="run one API's contract suite against a base URL")
    p.add_argument("--base-url", required=True)
    p.add_argument("--api", required=True, choices=API_NAMES)
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    return p


def _reach_state(parser, url: str) -> None:
    """A state backend that cannot be reached at start: one line and exit 2, not a traceback per worker."""
    from simulators.core.errors import BackendUnavailable
    from simulators.core.store import open_backend
    try:
        backend = open_backend(url)
        backend.ping()
        backend.close()
    except BackendUnavailable as exc:
        parser.error(f"--state {url}: state backend unreachable ({exc})")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fieldsim")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    _check_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "serve":
        from simulators.core.config import Config
        from simulators.core.store import REDIS_SCHEMES, check_state_url
        from simulators.server import serve
        try:
            config = Config.load(args.config, host=args.host, port=args.port,
                                 apis=tuple(args.api) if args.api else None, seed=args.seed,
                                 scale=args.scale, state=args.state, admin_token=args.admin_token,
                                 server=args.server, workers=args.workers, threads=args.threads)
            check_state_url(config.state)
        except (ValueError, OSError) as exc:
            parser.error(str(exc))
        if config.workers > 1 and not config.state.startswith(REDIS_SCHEMES):
            parser.error("--workers > 1 needs a shared state: --state redis://HOST:PORT/DB")
        _reach_state(parser, config.state)
        serve(config, print_banner=not args.quiet)
    elif args.command == "check":
        import pytest
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        suite = os.path.join(here, "contracts", args.api)
        os.environ["FIELDSIM_BASE_URL"] = args.base_url
        sys.exit(pytest.main([suite, "-p", "no:cacheprovider", "-q", *args.pytest_args]))


if __name__ == "__main__":
    main()
