"""`hph`: the one command that runs, seeds and inspects Holiday Peak Hub.

Configuration comes from HPH_* environment variables (see docs/configuration.md); flags override them.
Exit codes: 0 done, 1 a failure while running (one line on stderr: a port taken, a data dir in use or
written by another version), 2 a usage error (a flag, a setting or a service name that is not valid).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from hph.runtime import logs
from hph.runtime.profiles import LOCAL_CLUSTER
from hph.runtime.settings import Settings

log = logging.getLogger("hph.host")
DISTRIBUTION = "holiday-peak-hub"

EPILOG = """examples:
  hph up                                   # whole platform on embedded defaults, with demo data
  hph up --data-dir /tmp/hph2 --grpc-port 50061 --http-port 8081   # a second instance beside it
  hph up --workers 2                       # two server processes sharing the port (one per core)
  hph up --profile local-cluster           # on PostgreSQL, Redis Streams, Redis and azurite (docs/profiles.md)
  hph serve --services catalog,reviews     # a subset in one gRPC server
  hph token --role staff --sub staff-sam   # a dev JWT for the local issuer, on stdout
  hph events lag                           # every consumer group caught up?
  HPH_TOKEN=$(hph token --role customer --sub customer-ava) hph mcp   # MCP over stdio, as that shopper
"""

MCP_DESCRIPTION = """\
Serves the platform's MCP tools (Model Context Protocol) over stdin/stdout, for an MCP client that
starts a local process (desktop assistants, IDEs); HTTP clients use /mcp on the REST port instead.
Every tool call is a gRPC call to a running platform with the given bearer token, which the platform
authorises exactly as a REST call: tools/list shows the tools the token's role may call. Logs go to
stderr; stdout carries only the protocol."""

MCP_EPILOG = """\
example client configuration (the command an MCP client runs):
  {"command": "hph", "args": ["mcp", "--grpc-target", "127.0.0.1:50051"],
   "env": {"HPH_TOKEN": "<a JWT, e.g. from hph token>"}}
"""


PROFILE_HELP = (
    "defaults for the engines: embedded (the default) or local-cluster (PostgreSQL, Redis Streams, Redis "
    "and azurite on this machine, shared by several hosts; docs/profiles.md); env HPH_PROFILE"
)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="embedded state folder (default .hph-data, env HPH_DATA_DIR)")
    parser.add_argument("--profile", help=PROFILE_HELP)


def _add_http(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--http-host", help=f"interface {what} binds (default 127.0.0.1, env HPH_HTTP_HOST)")
    parser.add_argument(
        "--http-port", type=int, help=f"port {what} listens on, 0 = any free (default 8080, env HPH_HTTP_PORT)"
    )


def _add_server(parser: argparse.ArgumentParser, rest: str) -> None:
    _add_common(parser)
    parser.add_argument("--grpc-host", help="interface the gRPC server binds (default 127.0.0.1, env HPH_GRPC_HOST)")
    parser.add_argument("--host", dest="grpc_host", help=argparse.SUPPRESS)  # the earlier name of --grpc-host
    parser.add_argument("--grpc-port", type=int, help="gRPC port, 0 = any free (default 50051, env HPH_GRPC_PORT)")
    _add_http(parser, rest)
    parser.add_argument(
        "--workers", type=int, help="server processes sharing the gRPC port, one per core at peak (env HPH_WORKERS)"
    )


def build_parser() -> argparse.ArgumentParser:
    from hph.host.app import AGENT_NAMES, SERVICE_NAMES

    parser = argparse.ArgumentParser(
        prog="hph", description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"hph {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="run the whole platform on embedded defaults with demo data")
    _add_server(up, "the REST gateway")
    up.add_argument("--no-seed", action="store_true", help="do not seed demo data into an empty store")

    serve = commands.add_parser("serve", help="host a subset of services and agents in one gRPC server")
    _add_server(serve, "the REST surface (with --rest)")
    serve.add_argument("--services", default="", help=f"comma-separated, any of: {', '.join(SERVICE_NAMES)} (or 'all')")
    serve.add_argument(
        "--agents",
        default="",
        help=f"comma-separated agents to host too, any of: {', '.join(AGENT_NAMES) or '(none yet)'} (or 'all')",
    )
    serve.add_argument("--seed", action="store_true", help="seed demo data into an empty store first")
    serve.add_argument(
        "--rest",
        action="store_true",
        help="also serve the REST surface of these services, as `hph up` does (from this process unless "
        "HPH_GATEWAY_COHOSTED=false)",
    )
    # Internal: an extra worker of `hph up`/`hph serve --workers N`, started by them: it shares their
    # ports and data dir (without the data dir's lock, which its parent holds), skips seeding and
    # background jobs.
    serve.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    # Internal: the process `hph up`/`hph serve` start for the agents' consumer groups and periodic
    # jobs (HPH_AGENTS_BACKGROUND_COHOSTED=false, the default); it shares their data dir and answers only
    # the calls the serving processes forward to it (the agents that answer from a replica: search).
    serve.add_argument("--agents-background", action="store_true", help=argparse.SUPPRESS)
    # An extra worker beside the agents' process: the address it forwards the replica agents' calls to.
    serve.add_argument("--agents-address", default="", help=argparse.SUPPRESS)

    seed = commands.add_parser(
        "seed",
        help="write the demo catalog and users (skips what already exists); --history adds days of orders",
        description="Writes the demo catalog, stock and users. With --history DAYS it then runs the platform "
        "in this process on a simulated clock and places DAYS of orders before today through the real "
        "services (weekly and holiday seasonality, shipments with scans, late, exception and lost "
        "parcels, reviews, cancellations and returns), deterministic by --seed; stop `hph up` on the "
        "data dir first.",
    )
    _add_common(seed)
    seed.add_argument(
        "--history", type=_days, default=0, metavar="DAYS", help="days of order history to generate (default 0: none)"
    )
    seed.add_argument("--seed", type=int, default=12, metavar="N", help="the history's random seed (default 12)")
    seed.add_argument(
        "--orders-per-day",
        type=float,
        default=12.0,
        metavar="X",
        help="mean orders on an ordinary weekday before seasonality (default 12)",
    )
    seed.add_argument(
        "--messy",
        action="store_true",
        help="also corrupt the demo's known set of messy products (wrong categories, price outliers, near "
        "duplicates...; hph.commerce.demo_messy) for the product-management agents to find; on an empty "
        "data dir (existing products are never overwritten)",
    )

    token = commands.add_parser("token", help="print a dev JWT signed by the data dir's local issuer")
    _add_common(token)
    token.add_argument("--role", required=True, choices=["customer", "staff", "admin"])
    token.add_argument("--sub", required=True, help="subject (user id) of the token")
    token.add_argument("--email", default="", help="email claim (default <sub>@example.com)")
    token.add_argument("--name", default="", help="name claim")
    token.add_argument("--ttl", type=int, help="lifetime in seconds (default 3600, env HPH_DEV_TOKEN_TTL_SECONDS)")

    gateway = commands.add_parser("gateway", help="run the REST (JSON<->gRPC transcoding) gateway alone")
    gateway.add_argument("--grpc-target", help="gRPC server to forward to (default 127.0.0.1:<grpc port>)")
    _add_http(gateway, "the gateway")
    # The earlier names of --http-port and --http-host.
    gateway.add_argument("--port", dest="http_port", type=int, help=argparse.SUPPRESS)
    gateway.add_argument("--host", dest="http_host", help=argparse.SUPPRESS)

    mcp = commands.add_parser(
        "mcp",
        help="serve the MCP tools over stdio, calling a running platform with a bearer token",
        description=MCP_DESCRIPTION,
        epilog=MCP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mcp.add_argument(
        "--grpc-target", help="gRPC address of the running platform (default 127.0.0.1:<grpc port>, env HPH_GRPC_PORT)"
    )
    mcp.add_argument(
        "--token",
        help="bearer token (JWT) sent with every call, with or without 'Bearer '; default env HPH_TOKEN, "
        "none = anonymous (only the tools anyone may call)",
    )

    envoy = commands.add_parser("envoy-config", help="write the Envoy bootstrap (grpc_json_transcoder) as YAML")
    envoy.add_argument("--output", type=Path, help="file to write (default: stdout)")

    codegen = commands.add_parser("codegen", help="regenerate stubs and descriptor set from protos/")
    codegen.add_argument("--check", action="store_true", help="fail if the committed generated code is stale")
    docs = commands.add_parser("docs", help="regenerate the reference tables in README.md and docs/")
    docs.add_argument("--check", action="store_true", help="fail if a generated table is stale")

    from hph.host import evaluate

    evaluation = commands.add_parser(
        "eval",
        help="measure agent quality on the labelled datasets in the repo (search: nDCG@10, MRR, zero-result rate)",
        description=evaluate.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_arguments(evaluation)

    from hph.host import contracts as published
    from hph.host.events_cli.arguments import add_events_parser

    contracts = commands.add_parser(
        "contracts", help="check the protos against the published contracts (protos/baseline.binpb) or record them"
    )
    published.add_arguments(contracts)
    add_events_parser(commands)
    return parser


def _days(text: str) -> int:
    """An argparse type: a whole number of days, 0 or more."""
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of days (0 or more), not {text!r}")
    return days


def _version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        data_dir=getattr(args, "data_dir", None),
        grpc_host=getattr(args, "grpc_host", None),
        grpc_port=getattr(args, "grpc_port", None),
        token=getattr(args, "token", None),
        http_host=getattr(args, "http_host", None),
        http_port=getattr(args, "http_port", None),
        workers=getattr(args, "workers", None),
        profile=getattr(args, "profile", None),
    )


async def _serve_worker(
    settings: Settings, names: Sequence[str], *, rest: bool, agents_background: bool, agents_address: str = ""
) -> None:
    """An extra worker: the same services (and with `rest`, the REST surface) on the ports the first
    worker bound, nothing else; with `agents_address`, the agents' process is there, and the calls
    of the agents that answer from a replica are forwarded to it. With `agents_background`, the
    agents' process instead: the same services, on a port of its own, running the agents' consumer
    groups and periodic jobs and answering the replica agents' calls forwarded by the workers."""
    from hph.host.app import AGENTS_APART, SERVING, SERVING_BESIDE_AGENTS, select_services, start_platform
    from hph.host.cohosted import start_cohosted_gateway
    from hph.runtime.server import run_until_signalled

    duties = AGENTS_APART if agents_background else SERVING_BESIDE_AGENTS if agents_address else SERVING
    platform = await start_platform(
        settings, select_services(names), seed=False, duties=duties, reuse_port=not agents_background
    )
    if platform.forwarder is not None:
        platform.forwarder.route(agents_address)
    gateway = None
    if rest:
        try:
            gateway = await start_cohosted_gateway(settings, platform, first=False)
        except OSError:
            await platform.stop()
            raise

    async def stop() -> None:
        if gateway is not None:
            await gateway.stop()
        await platform.stop()

    # The parent reads this line to know the worker is serving.
    line = f"worker {os.getpid()} serving gRPC on {settings.grpc_host}:{platform.grpc.port}"
    await run_until_signalled(stop, ready=lambda: print(line, flush=True))


async def _serve(settings: Settings, names: Sequence[str], *, seed: bool, with_gateway: bool) -> None:
    from dataclasses import replace

    from hph.gateway.server import GatewayHost
    from hph.host.app import EVERYTHING, SERVICES_FIRST, select_services, start_platform
    from hph.host.children import (
        AgentsProcess,
        ChildProcess,
        refuse_if_taken,
        start_gateway,
        start_worker,
    )
    from hph.host.cohosted import shared_limits_path, start_cohosted_gateway
    from hph.host.data_dir_lock import DataDirLock
    from hph.runtime.server import run_until_signalled

    shared = settings.workers > 1
    cohosted = with_gateway and settings.gateway_cohosted
    specs = select_services(names)
    agents_apart = not settings.agents_background_cohosted and any(s.is_agent and s.implementation for s in specs)
    lock = DataDirLock.acquire(settings.data_dir)  # until the platform stops (or this process dies)
    try:
        await _prepare_profile(settings)
    except BaseException:
        lock.release()
        raise
    # Asked before anything starts, so a port in use is one line naming it, with one worker or many
    # (shared ports are shared with this platform's own workers only).
    refuse_if_taken(settings.grpc_host, settings.grpc_port, "gRPC")
    if with_gateway:
        refuse_if_taken(settings.http_host, settings.http_port, "HTTP")
    # This process is the first worker: it seeds, runs the background jobs and binds the ports
    # (port 0 picks one); the others then bind the same ports.
    try:
        if seed and settings.seed_history_days > 0 and await _first_start(settings):
            from hph.host.history.driver import generate_history

            summary = await generate_history(
                settings, days=settings.seed_history_days, seed=12, progress=_history_progress
            )
            print("\n".join(summary.lines()), file=sys.stderr)
        duties = SERVICES_FIRST if agents_apart else EVERYTHING
        platform = await start_platform(settings, specs, seed=seed, duties=duties, reuse_port=shared)
    except BaseException:
        lock.release()
        raise
    address = f"{settings.grpc_host}:{platform.grpc.port}"
    http_port = settings.http_port
    own_gateway: GatewayHost | None = None
    children: list[ChildProcess | AgentsProcess] = []
    # A worker drains its gateway, then its gRPC calls: each within the grace.
    child_grace = settings.shutdown_grace_seconds * (2 if cohosted else 1)

    async def stop() -> None:
        # Every gateway and worker drains at once (SIGTERM to all children); this process's
        # services, which run the background jobs, stop last.
        draining = [child.stop(child_grace) for child in children]
        if own_gateway is not None:
            draining.append(own_gateway.stop())
        for failure in await asyncio.gather(*draining, return_exceptions=True):
            if isinstance(failure, BaseException):
                log.error("stopping a worker or gateway failed", exc_info=failure)
        await platform.stop()
        if cohosted and shared:
            shared_limits_path(settings).unlink(missing_ok=True)
        lock.release()

    try:
        if cohosted:
            own_gateway = await start_cohosted_gateway(settings, platform, first=True)
            http_port = own_gateway.port
        agents_address = ""
        if agents_apart:
            # The agents' projections and periodic jobs run there, on their own core; the calls to
            # the agents are still answered here, in-process, from the same store, except those of
            # the agents answering from a replica of the events (search), which is kept only there.
            agents_process = await AgentsProcess.start(settings, names)
            children.append(agents_process)
            agents_address = agents_process.address
            if platform.forwarder is not None:
                platform.forwarder.route(agents_address)
        worker_settings = replace(settings, grpc_port=platform.grpc.port, http_port=http_port)
        for _ in range(settings.workers - 1):
            children.append(await start_worker(worker_settings, names, rest=cohosted, agents_address=agents_address))
        if with_gateway and not cohosted:
            gateway, http_port = await start_gateway(settings, grpc_target=address)
            children.insert(0, gateway)
    except OSError:
        await stop()
        raise
    workers = f", {settings.workers} worker processes" if shared else ""
    agents = sum(spec.is_agent for spec in specs)
    hosted = f"{len(names) - agents} services" + (f", {agents} agents" if agents else "")
    lines = [
        "Holiday Peak Hub is up",
        f"  gRPC     {address}  ({hosted}{workers}, health + reflection)",
        f"  data     {settings.data_dir.resolve()}",
    ]
    if with_gateway:
        rest = f"http://{settings.http_host}:{http_port}"
        lines += [
            f"  REST     {rest}/api/...  (docs {rest}/docs, OpenAPI {rest}/openapi.json)",
            f"  shop     {rest}/  (the storefront, built by .ci/setup)",
            f"  try      curl '{rest}/api/products?limit=3'",
            f"           grpcurl -plaintext -d '{{\"limit\": 3}}' {address} "
            "holidaypeak.commerce.v1.CatalogService/ListProducts",
            f"  token    hph token --role customer --sub customer-ava --data-dir {settings.data_dir}"
            + (f" --profile {settings.profile}" if settings.profile else ""),
        ]
    await run_until_signalled(stop, ready=lambda: print("\n".join(lines), flush=True))


async def _gateway(settings: Settings, grpc_target: str) -> None:
    from hph.gateway.server import start_gateway
    from hph.host.children import refuse_if_taken
    from hph.host.cohosted import demo_identities
    from hph.runtime.server import run_until_signalled

    refuse_if_taken(settings.http_host, settings.http_port, "HTTP")
    host = await start_gateway(settings, grpc_target=grpc_target, demo_users=demo_identities())
    # `hph up` reads this line to learn the port (it may have asked for port 0).
    line = f"REST gateway listening on http://{settings.http_host}:{host.port} -> gRPC {grpc_target}"
    await run_until_signalled(host.stop, ready=lambda: print(line, flush=True))


def _token(args: argparse.Namespace) -> int:
    from hph.runtime.auth.dev_issuer import DevIssuer

    settings = _settings(args)
    if not settings.dev_issuer_enabled:
        print("hph: the dev issuer is disabled (HPH_DEV_ISSUER_ENABLED=false)", file=sys.stderr)
        return 1
    issuer = DevIssuer.from_settings(settings)
    token = issuer.issue(
        args.sub,
        args.role,
        email=args.email or f"{args.sub}@example.com",
        name=args.name,
        ttl_seconds=args.ttl or settings.dev_token_ttl_seconds,
    )
    print(token)
    return 0


async def _prepare_profile(settings: Settings) -> None:
    """The local-cluster profile's engines are there (its database created, azurite started), or a
    ValueError saying which is missing."""
    if settings.profile == LOCAL_CLUSTER:
        from hph.host.local_cluster import prepare

        for line in await prepare(settings):
            print(line, flush=True)


async def _seed(
    settings: Settings,
    *,
    history_days: int = 0,
    history_seed: int = 12,
    orders_per_day: float = 12.0,
    messy: bool = False,
) -> None:
    from hph.host.app import open_store
    from hph.host.seed import seed_demo_data
    from hph.runtime.deps import Dependencies

    await _prepare_profile(settings)
    store = await open_store(settings)
    try:
        counts = await seed_demo_data(
            Dependencies(settings=settings, store=store), only_if_empty=False, messy=messy or None
        )
    finally:
        await store.close()
    print("seeded " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if history_days > 0:
        await _seed_history(settings, history_days, seed=history_seed, orders_per_day=orders_per_day)


async def _seed_history(settings: Settings, days: int, *, seed: int, orders_per_day: float = 12.0) -> None:
    from hph.host.data_dir_lock import DataDirLock
    from hph.host.history.driver import generate_history

    lock = DataDirLock.acquire(settings.data_dir)  # the history runs the platform on this data dir
    try:
        summary = await generate_history(
            settings, days=days, seed=seed, orders_per_day=orders_per_day, progress=_history_progress
        )
    finally:
        lock.release()
    print("\n".join(summary.lines()))


async def _first_start(settings: Settings) -> bool:
    """Whether the data dir holds no demo data yet (the store has no products)."""
    from hph.host.app import open_store
    from hph.host.seed import has_demo_data

    store = await open_store(settings)
    try:
        return not await has_demo_data(store)
    finally:
        await store.close()


def _history_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        filled = round(30 * done / total)
        print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} days", end="", file=sys.stderr)
        if done == total:
            print(file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("serve", "gateway"):
        from hph.host.children import follow_parent

        follow_parent()  # started by `hph up`: not to outlive it
    if args.command == "codegen":
        from hph.host import codegen

        return codegen.main(["--check"] if args.check else [])
    if args.command == "docs":
        from hph.host import docgen

        return docgen.main(["--check"] if args.check else [])
    if args.command == "contracts":
        from hph.host import contracts

        return contracts.run(args)
    if args.command == "eval":
        from hph.host import evaluate

        return evaluate.run(args)
    if args.command == "events":
        from hph.host.events_cli import run

        return run.main(args)
    if args.command == "envoy-config":
        from hph.gateway import envoy

        return envoy.main(["--output", str(args.output)] if args.output else [])
    # Usage errors (exit 2): what was asked for is not valid, whatever the machine's state.
    try:
        settings = _settings(args)
        names = _service_names(args)
        if settings.workers < 1:
            raise ValueError(f"HPH_WORKERS (--workers) must be at least 1, not {settings.workers}")
        seeding = args.command == "seed"
        messy = (seeding and args.messy) or settings.seed_messy_products
        history = args.history if seeding else settings.seed_history_days if args.command in ("up", "serve") else 0
        if messy and history:
            # The history plays the clean catalog's plan (prices, categories) through the services.
            raise ValueError(
                "messy products (--messy, HPH_SEED_MESSY_PRODUCTS) and a generated history (--history, "
                "HPH_SEED_HISTORY_DAYS) cannot be combined: the history is planned on the clean catalog"
            )
    except ValueError as exc:
        print(f"hph: {exc}", file=sys.stderr)
        return 2
    if args.command == "token":
        return _token(args)
    logs.configure(settings.log_level, settings.log_format)
    from hph.runtime.storage.port import StorageError

    # Failures while running (exit 1): a port taken, a data dir in use or written by another version,
    # a storage server that cannot be reached.
    try:
        if args.command == "up":
            asyncio.run(_serve(settings, names, seed=settings.seed_demo_data and not args.no_seed, with_gateway=True))
        elif args.command == "serve":
            if args.worker or args.agents_background:
                asyncio.run(
                    _serve_worker(
                        settings,
                        names,
                        rest=args.rest,
                        agents_background=args.agents_background,
                        agents_address=args.agents_address,
                    )
                )
            else:
                asyncio.run(_serve(settings, names, seed=args.seed, with_gateway=args.rest))
        elif args.command == "seed":
            asyncio.run(
                _seed(
                    settings,
                    history_days=args.history,
                    history_seed=args.seed,
                    orders_per_day=args.orders_per_day,
                    messy=args.messy,
                )
            )
        elif args.command == "gateway":
            target = args.grpc_target or settings.gateway_grpc_target or f"127.0.0.1:{settings.grpc_port}"
            asyncio.run(_gateway(settings, target))
        elif args.command == "mcp":
            from hph.gateway.mcp_stdio import serve_stdio

            target = args.grpc_target or f"127.0.0.1:{settings.grpc_port}"
            asyncio.run(serve_stdio(settings, grpc_target=target, token=settings.token))
    except (ValueError, OSError, StorageError) as exc:
        print(f"hph: {_one_line(exc)}", file=sys.stderr)
        return 1
    return 0


def _one_line(failure: Exception) -> str:
    """The failure for a person: an OSError without its "[Errno N]" prefix, with the file it names."""
    if isinstance(failure, OSError) and failure.strerror:
        return f"{failure.strerror}: {failure.filename}" if failure.filename else failure.strerror
    return str(failure)


def _service_names(args: argparse.Namespace) -> list[str]:
    """The services and agents `up` or `serve` hosts; ValueError naming any that does not exist."""
    from hph.host.app import AGENT_NAMES, SERVICE_NAMES, select_services

    if args.command == "up":
        return [*SERVICE_NAMES, *AGENT_NAMES]
    if args.command != "serve":
        return []
    services = list(SERVICE_NAMES) if args.services == "all" else _listed(args.services)
    agents = list(AGENT_NAMES) if args.agents == "all" else _listed(args.agents)
    if not services and not agents:
        raise ValueError("hph serve needs --services and/or --agents (e.g. --services catalog,reviews)")
    return [spec.name for spec in select_services([*services, *agents])]


def _listed(names: str) -> list[str]:
    return [name.strip() for name in names.split(",") if name.strip()]


if __name__ == "__main__":
    sys.exit(main())
