"""The full checkout journey under load: add to cart, validate, create order, pay — per shopper, in a
loop, many shoppers at once, over gRPC against `hph up` as shipped (fresh data dir, demo catalog).

    .venv/bin/python tests/perf/bench_checkout.py --duration 15 --shoppers 20 --workers 1,2 --rest

Reports completed orders/s and p50/p99 per call type. Several variants run one after another in the
same invocation and end in a side-by-side table of ratios to the first: --workers 1,2; --rest adds
each again through the REST gateway, as the storefront calls it (JSON over HTTP/1.1), and
--gateway-process adds REST with the gateway as a process of its own (HPH_GATEWAY_COHOSTED=false);
--loopback adds each again with HPH_INPROCESS_CALLS=false. With --workers N the platform runs N server
processes on one port (`hph up --workers N`); each shopper is a client with its own connection
(--connections), and the kernel spreads connections, not calls, over the workers. "server CPU" is the
CPU time of `hph up` and its children per completed order, steadier than orders/s on a shared machine.
--reservation-agent compares CreateOrder with and without the reservation policy agent: each variant
runs with `hph up` (which hosts agent inventory-reservation-validation, consulted by every CreateOrder,
peak window pinned so the limits and the purchases projection are live) and again with
`hph serve --services all --seed --rest` (no agent: CreateOrder's check is UNIMPLEMENTED, then shed by
the open breaker at no cost), and adds a CreateOrder p50/p99 column to the side-by-side table. The
agent runs the shipped policy with every limit raised out of reach (HPH_RESERVATION_POLICY_PATH), so
it does all its work on every order (stock reads, the purchases query for hot SKUs, the projection
of every order event) but never refuses a benchmark shopper, who keeps buying the same SKUs.
With --rounds, it ends with each agents-on run's orders/s over the agents-off run's right after it,
per round, and their median: one build's figures move by a fifth between runs minutes apart here.

--hosts N adds the journey on the local-cluster profile (docs/profiles.md): N `hph up --profile
local-cluster` hosts with data dirs and ports of their own sharing a PostgreSQL database made for the
run (synchronous_commit off, as the tests' databases), a private redis-server and one dev issuer key
dir, shoppers' connections spread over the hosts (gRPC only). Its "server CPU" counts the hosts and,
apart, the engines: the PostgreSQL backends serving the run's database and the redis-server.

    .venv/bin/python tests/perf/bench_checkout.py --duration 15 --workers 2 --hosts 2

Not a test: a measurement (issue #4 target:
150 orders/s with p99 < 250 ms per call on the embedded defaults, 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import asyncpg
import grpc
import orjson
from bench_common import (
    RawHttpClient,
    Result,
    add_code_argument,
    code_variants,
    cpu_spent,
    start_platform,
    tree_cpu_seconds,
)

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import checkout_service_pb2 as checkout_pb
from holidaypeak.commerce.v1 import checkout_service_pb2_grpc as checkout_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as order_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as order_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payment_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payment_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as user_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as user_grpc
from tests.support import postgres
from tests.support.cluster import running_cluster
from tests.support.hph_process import hph_token, stop_hph
from tests.support.redis_server import running_redis_server

CALLS = ("AddCartItem", "ValidateCheckout", "CreateOrder", "CreatePayment")


class RestRefusal(Exception):
    """A non-200 answer on the REST journey: counted as an error, the shopper goes on."""


# Units put on hand for every benchmarked SKU, so the run measures checkouts rather than sell-outs.
STOCK_PER_SKU = 1_000_000
PEAK_ALWAYS = "2000-01-01T00:00:00Z/2100-01-01T00:00:00Z"
POLICY_PACKAGE = "hph.agents.inventory_reservation_validation"


@dataclass(frozen=True)
class Variant:
    workers: int
    loopback: bool
    rest: bool
    gateway_process: bool = False
    code: str = ""  # a --code name, "" for this interpreter
    python: str = sys.executable
    # None: `hph up` as shipped; True/False: with or without the reservation policy agent (see --reservation-agent).
    reservation_agent: bool | None = None
    # With the agents: their consumers and the services' calls to them in the first worker instead of
    # a process of their own (HPH_AGENTS_BACKGROUND_COHOSTED=true).
    agents_cohosted: bool = False
    hosts: int = 0  # > 0: that many local-cluster hosts (one worker each) instead of one embedded `hph up`

    @property
    def label(self) -> str:
        if self.hosts:
            return (f"{self.code}: " if self.code else "") + f"local-cluster, {self.hosts} hosts"
        return (
            (f"{self.code}: " if self.code else "")
            + f"{self.workers} worker{'s' if self.workers > 1 else ''}"
            + (", REST" if self.rest else "")
            + (" (gateway process)" if self.gateway_process else "")
            + (", loopback calls" if self.loopback else "")
            + {None: "", True: ", reservation agent", False: ", no reservation agent"}[self.reservation_agent]
            + (", agents in one process" if self.agents_cohosted else "")
        )

    @property
    def command(self) -> tuple[str, ...]:
        if self.reservation_agent is False:
            return ("serve", "--services", "all", "--seed", "--rest")
        return ("up",)

    @property
    def env(self) -> dict[str, str]:
        return {
            **({"HPH_INPROCESS_CALLS": "false"} if self.loopback else {}),
            **({"HPH_GATEWAY_COHOSTED": "false"} if self.gateway_process else {}),
            # Limits live (the purchases projection queried for hot SKUs) whatever today's date is.
            **({"HPH_RESERVATION_PEAK_WINDOW": PEAK_ALWAYS} if self.reservation_agent is not None else {}),
            **({"HPH_AGENTS_BACKGROUND_COHOSTED": "true"} if self.agents_cohosted else {}),
        }


@dataclass(frozen=True)
class Outcome:
    orders_per_second: float
    caught_up_seconds: float
    server_cpu_ms_per_order: float
    worst_p99_ms: float
    create_order_p50_ms: float
    create_order_p99_ms: float
    engines_cpu_ms_per_order: float = 0.0


def unreachable_limits_policy(directory: str) -> str:
    """The shipped reservation policy with every per-shopper limit out of reach: its path."""
    policy = json.loads(resources.files(POLICY_PACKAGE).joinpath("data", "reservation_policy.json").read_text())
    for rule in policy["skus"].values():
        if "peak_limit_per_shopper" in rule:
            rule["peak_limit_per_shopper"] = 1_000_000
    path = Path(directory) / "bench-reservation-policy.json"
    path.write_text(json.dumps(policy))
    return str(path)


def never_deny_risk_policy(directory: str) -> str:
    """A fraud risk policy that never denies (checkout-support): each bench shopper places hundreds of
    orders a minute on one card, which the shipped policy rightly refuses. Its path."""
    path = Path(directory) / "bench-risk-policy.json"
    path.write_text(json.dumps({"review_threshold": 1.0, "deny_threshold": 2.0}))
    return str(path)


async def consumers_caught_up(data_dir: str, python: str, within: float = 180.0) -> float:
    """Seconds until `hph events lag` finds every consumer group caught up (each has checkpointed
    all it read: checkpoints are written every HPH_CONSUMER_CHECKPOINT_SECONDS, 5 s, so this is up to
    that much later than the last event was handled, in every variant alike); inf past `within`."""
    began = time.perf_counter()
    while time.perf_counter() - began < within:
        probe = await asyncio.create_subprocess_exec(
            python,
            "-m",
            "hph.host.cli",
            "events",
            "lag",
            "--exit-code",
            "--data-dir",
            data_dir,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        if await probe.wait() == 0:
            return time.perf_counter() - began
        await asyncio.sleep(0.5)
    return float("inf")


@dataclass
class Serving:
    """What a variant runs: its server processes, their gRPC addresses, and a token minter."""

    pids: list[int]
    grpc_addresses: list[str]
    rest_port: int
    token: Callable[[str, str], str]  # (subject, role) -> JWT
    engine_pids: Callable[[], list[int]] = lambda: []  # the shared engines' processes serving the run


@contextmanager
def serving(variant: Variant, data_dir: str, env: dict[str, str]) -> Iterator[Serving]:
    """`hph up` as shipped, or the local-cluster hosts of `variant.hosts`."""
    if not variant.hosts:
        process, grpc_address, rest_port = start_platform(
            data_dir, variant.workers, env, python=variant.python, command=variant.command
        )
        try:
            yield Serving([process.pid], [grpc_address], rest_port, lambda sub, role: hph_token(data_dir, sub, role))
        finally:
            stop_hph(process)
        return
    root = Path(data_dir)
    with running_redis_server(root / "redis") as redis_url:
        # The tests' cluster settings, with the shipped defaults back where the tests shorten them.
        defaults = {
            "HPH_CONSUMER_LEASE_SECONDS": "10",
            "HPH_OUTBOX_POLL_SECONDS": "2",
            "HPH_ANALYTICS_CACHE_SECONDS": "30",
        }
        quiet = {**env, **defaults, "HPH_REDIS_CALL_TIMEOUT_SECONDS": "0.25", "HPH_LOG_LEVEL": "WARNING"}
        with running_cluster(root, redis_url, hosts=variant.hosts, args=(), command="up", env=quiet) as cluster:
            database = cluster.dsn.rsplit("/", 1)[1]
            yield Serving(
                [host.process.pid for host in cluster.hosts],
                [host.grpc for host in cluster.hosts],
                0,
                lambda sub, role: cluster.bearer(role, sub),
                lambda: [*postgres_backends(database), *redis_server_pids(redis_url)],
            )


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to `database`."""

    async def query() -> list[int]:
        connection = await asyncpg.connect(postgres.admin_dsn())
        try:
            rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
        finally:
            await connection.close()
        return [int(row["pid"]) for row in rows]

    return postgres.run_sync(query)


def redis_server_pids(url: str) -> list[int]:
    """The redis-server listening at `url` (its process title names the address)."""
    address = url.split("//", 1)[1].rsplit("/", 1)[0]
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "redis-server" in text and address in text:
            found.append(int(cmdline.parent.name))
    return found


def cpu_of(pids: list[int]) -> dict[str, float]:
    """tree_cpu_seconds of several processes, merged."""
    return {key: seconds for pid in pids for key, seconds in tree_cpu_seconds(pid).items()}


async def measure(args: argparse.Namespace, variant: Variant) -> Outcome:
    """One variant on a fresh data dir: `hph up` as shipped, set-up, then the measured window."""
    with tempfile.TemporaryDirectory(prefix="hph-bench-") as data_dir:
        env = dict(variant.env)
        env["HPH_RISK_POLICY_PATH"] = never_deny_risk_policy(data_dir)
        if variant.reservation_agent:
            env["HPH_RESERVATION_POLICY_PATH"] = unreachable_limits_policy(data_dir)
        with serving(variant, data_dir, env) as served:
            rest_port = served.rest_port
            # Channels with their own subchannel pool are separate connections (shared otherwise);
            # with several hosts, connection n goes to host n mod hosts.
            channels = [
                grpc.aio.insecure_channel(
                    served.grpc_addresses[n % len(served.grpc_addresses)],
                    options=[("grpc.use_local_subchannel_pool", 1)],
                )
                for n in range(args.connections or args.shoppers)
            ]
            channel = channels[0]
            products = (
                await catalog_grpc.CatalogServiceStub(channel).ListProducts(catalog_pb.ListProductsRequest(limit=100))
            ).products
            skus = [p.id for p in products if p.in_stock]
            staff = (("authorization", f"Bearer {served.token('bench-staff', 'staff')}"),)
            for sku in skus:
                await inventory_grpc.InventoryServiceStub(channel).UpdateInventoryItem(
                    inventory_pb.UpdateInventoryItemRequest(
                        sku=sku, quantity_on_hand=STOCK_PER_SKU, reason="benchmark stock take"
                    ),
                    metadata=staff,
                )
            latencies: dict[str, list[float]] = collections.defaultdict(list)
            errors: collections.Counter[str] = collections.Counter()
            # Orders placed without an agent's policy check, by why ("<agent>: <why>").
            skipped: collections.Counter[str] = collections.Counter()
            completed = 0

            async def timed(name: str, call: object) -> object:
                started = time.perf_counter()
                try:
                    return await call  # type: ignore[misc]
                finally:
                    latencies[name].append((time.perf_counter() - started) * 1000)

            async def prepare(n: int) -> tuple[tuple[tuple[str, str]], str, str]:
                """Sign in, register, and add an address and a card: set-up, outside the measured window."""
                token = await asyncio.to_thread(served.token, f"bench-{n}", "customer")
                metadata = (("authorization", f"Bearer {token}"),)
                users = user_grpc.UserServiceStub(channels[n % len(channels)])
                # A registered shopper, as at a real checkout (the risk check reads the account's age).
                await users.Register(user_pb.RegisterRequest(name=f"Bench Shopper {n}"), metadata=metadata)
                address = await users.CreateAddress(
                    user_pb.CreateAddressRequest(
                        name="Bench",
                        line1="1 Main St",
                        city="Austin",
                        region="TX",
                        postal_code="73301",
                        country_code="US",
                    ),
                    metadata=metadata,
                )
                card = await users.CreatePaymentMethod(
                    user_pb.CreatePaymentMethodRequest(token="pm_card_visa"), metadata=metadata
                )
                return metadata, address.id, card.id

            async def shopper(
                n: int, stop_at: float, metadata: tuple[tuple[str, str]], address_id: str, card_id: str
            ) -> None:
                nonlocal completed
                channel = channels[n % len(channels)]
                i = 0
                while time.perf_counter() < stop_at:
                    i += 1
                    try:
                        await timed(
                            "AddCartItem",
                            cart_grpc.CartServiceStub(channel).AddCartItem(
                                cart_pb.AddCartItemRequest(product_id=skus[(n + i) % len(skus)], quantity=1),
                                metadata=metadata,
                            ),
                        )
                        await timed(
                            "ValidateCheckout",
                            checkout_grpc.CheckoutServiceStub(channel).ValidateCheckout(
                                checkout_pb.ValidateCheckoutRequest(
                                    shipping_address_id=address_id, payment_method_id=card_id
                                ),
                                metadata=metadata,
                            ),
                        )
                        order = await timed(
                            "CreateOrder",
                            order_grpc.OrderServiceStub(channel).CreateOrder(
                                order_pb.CreateOrderRequest(
                                    shipping_address_id=address_id,
                                    payment_method_id=card_id,
                                    request_id=uuid.uuid4().hex,
                                ),
                                metadata=metadata,
                            ),
                        )
                        skipped.update(order.skipped_checks)  # type: ignore[attr-defined]
                        await timed(
                            "CreatePayment",
                            payment_grpc.PaymentServiceStub(channel).CreatePayment(
                                payment_pb.CreatePaymentRequest(
                                    order_id=order.id,
                                    payment_method_id=card_id,  # type: ignore[attr-defined]
                                    amount=order.total,
                                    request_id=uuid.uuid4().hex,
                                ),  # type: ignore[attr-defined]
                                metadata=metadata,
                            ),
                        )
                        completed += 1
                    except grpc.aio.AioRpcError as error:
                        errors[f"{error.code().name}: {error.details()[:80]}"] += 1

            async def rest_shopper(
                n: int, stop_at: float, metadata: tuple[tuple[str, str]], address_id: str, card_id: str
            ) -> None:
                """The same journey as the storefront drives it: JSON over HTTP/1.1 through the gateway."""
                nonlocal completed
                client = await RawHttpClient.connect("127.0.0.1", rest_port)
                headers = (("Authorization", metadata[0][1]),)

                async def call(name: str, path: str, body: dict[str, object]) -> dict[str, object]:
                    status, payload = await timed(name, client.request("POST", path, orjson.dumps(body), headers))  # type: ignore[misc]
                    if status != 200:
                        raise RestRefusal(f"{status}: {payload[:80]!r}")
                    return orjson.loads(payload)  # type: ignore[no-any-return]

                checkout = {"shipping_address_id": address_id, "payment_method_id": card_id}
                i = 0
                try:
                    while time.perf_counter() < stop_at:
                        i += 1
                        try:
                            await call(
                                "AddCartItem",
                                "/api/cart/items",
                                {"product_id": skus[(n + i) % len(skus)], "quantity": 1},
                            )
                            await call("ValidateCheckout", "/api/checkout/validate", checkout)
                            order = await call(
                                "CreateOrder", "/api/orders", {**checkout, "request_id": uuid.uuid4().hex}
                            )
                            skipped.update(order.get("skipped_checks", []))  # type: ignore[arg-type]
                            await call(
                                "CreatePayment",
                                "/api/payments",
                                {
                                    "order_id": order["id"],
                                    "payment_method_id": card_id,
                                    "amount": order["total"],
                                    "request_id": uuid.uuid4().hex,
                                },
                            )
                            completed += 1
                        except RestRefusal as refusal:
                            errors[str(refusal)] += 1
                finally:
                    await client.close()

            shoppers = await asyncio.gather(*(prepare(n) for n in range(args.shoppers)))
            print(f"== {variant.label}: measuring for {args.duration:.0f} s ...", flush=True)
            engine_pids = served.engine_pids()
            cpu_before, engines_before = cpu_of(served.pids), cpu_of(engine_pids)
            client_before = time.process_time()
            started = time.perf_counter()
            stop_at = started + args.duration
            journey = rest_shopper if variant.rest else shopper
            await asyncio.gather(*(journey(n, stop_at, *prepared) for n, prepared in enumerate(shoppers)))
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - client_before
            cpu_after, engines_after = cpu_of(served.pids), cpu_of(engine_pids)
            server_cpu = cpu_spent(cpu_before, cpu_after)
            engines_cpu = cpu_spent(engines_before, engines_after)
            per_process = "; ".join(
                f"{key.split()[0]} {'gateway' if 'gateway' in key else 'services'} "
                f"{(seconds - cpu_before.get(key, 0.0)) / max(completed, 1) * 1000:.1f}"
                for key, seconds in cpu_after.items()
            )
            print(
                f"completed orders: {completed} in {elapsed:.1f} s = {completed / elapsed:.1f} orders/s "
                f"({args.shoppers} shoppers, {variant.label})"
            )
            print(
                f"server CPU: {server_cpu:.1f} s = {server_cpu / max(completed, 1) * 1000:.1f} ms per order "
                f"(hph up and its children: {per_process})"
            )
            # The shoppers run here, on the same cores: what the machine had left for the server.
            print(
                f"client CPU: {client_cpu:.1f} s = {client_cpu / max(completed, 1) * 1000:.1f} ms per order "
                f"(this benchmark's shoppers, on the same cores)"
            )
            print(f"{'call':18} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
            worst_p99 = 0.0
            for name in CALLS:
                figures = Result(name, len(latencies[name]), 0, elapsed, latencies[name])
                worst_p99 = max(worst_p99, figures.percentile(0.99))
                print(f"{name:18} {figures.requests:7d} {figures.percentile(0.5):8.1f} {figures.percentile(0.99):8.1f}")
            if engine_pids:
                print(
                    f"engines CPU: {engines_cpu:.1f} s = {engines_cpu / max(completed, 1) * 1000:.1f} ms per order "
                    f"(PostgreSQL backends of the run's database and redis-server: {len(engine_pids)} processes)"
                )
            for check, count in skipped.most_common():
                print(f"orders placed with a skipped check x{count}: {check}")
            for message, count in errors.most_common(5):
                print(f"error x{count}: {message}")
            for each in channels:
                await each.close()
            orders = Result("CreateOrder", len(latencies["CreateOrder"]), 0, elapsed, latencies["CreateOrder"])
            # (Embedded only: the hosts of a cluster keep their lag in their shared engines.)
            caught_up = float("nan") if variant.hosts else await consumers_caught_up(data_dir, variant.python)
            if not variant.hosts:
                print(f"every consumer group caught up {caught_up:.1f} s after the load stopped")
            return Outcome(
                completed / elapsed,
                caught_up,
                server_cpu / max(completed, 1) * 1000,
                worst_p99,
                orders.percentile(0.5),
                orders.percentile(0.99),
                engines_cpu / max(completed, 1) * 1000,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--shoppers", type=int, default=20, help="concurrent shoppers")
    parser.add_argument(
        "--workers", default="1", help="server processes (hph up --workers); a comma list runs each, e.g. 1,2"
    )
    parser.add_argument(
        "--loopback", action="store_true", help="also run each with HPH_INPROCESS_CALLS=false (internal gRPC calls)"
    )
    parser.add_argument(
        "--rest",
        action="store_true",
        help="also run each through the REST gateway (JSON over HTTP/1.1, one connection per shopper)",
    )
    parser.add_argument(
        "--gateway-process",
        action="store_true",
        help="with --rest, also run each REST variant with the gateway as a separate process "
        "(HPH_GATEWAY_COHOSTED=false)",
    )
    parser.add_argument(
        "--connections", type=int, default=0, help="gRPC connections (default one per shopper, like separate clients)"
    )
    parser.add_argument(
        "--reservation-agent",
        action="store_true",
        help="run each variant with the reservation policy agent (hph up) and without it (hph serve, no agent)",
    )
    parser.add_argument(
        "--agents-cohosted",
        action="store_true",
        help="with --reservation-agent, also run the agents in the first worker instead of their own "
        "process (HPH_AGENTS_BACKGROUND_COHOSTED=true)",
    )
    parser.add_argument(
        "--hosts",
        type=int,
        default=0,
        help="also run the journey on the local-cluster profile with this many hosts (gRPC; needs PostgreSQL "
        "at HPH_TEST_POSTGRES_DSN and redis-server)",
    )
    add_code_argument(parser)
    parser.add_argument("--rounds", type=int, default=1, help="run the whole list of variants this many times")
    args = parser.parse_args()
    codes = code_variants(args) if args.code else {"": sys.executable}
    transports = [(False, False)]  # (rest, gateway process)
    if args.rest:
        transports += [(True, False), *([(True, True)] if args.gateway_process else [])]
    variants = [
        Variant(int(workers), loopback, rest, gateway_process, code, python, agent, cohosted)
        for _ in range(args.rounds)
        for code, python in codes.items()
        for workers in args.workers.split(",")
        for rest, gateway_process in transports
        for loopback in ((False, True) if args.loopback else (False,))
        for agent, cohosted in (
            ((True, False), *([(True, True)] if args.agents_cohosted else []), (False, False))
            if args.reservation_agent
            else ((None, False),)
        )
    ]
    if args.hosts:
        variants += [
            Variant(1, False, False, code=code, python=python, hosts=args.hosts)
            for _ in range(args.rounds)
            for code, python in codes.items()
        ]
    outcomes = [asyncio.run(measure(args, variant)) for variant in variants]
    if len(variants) > 1:
        base = outcomes[0]
        print(f"\nside by side (ratios to {variants[0].label}):")
        print(
            f"{'variant':60} {'orders/s':>9} {'ratio':>6} {'CPU ms/order':>13} {'worst p99 ms':>13} "
            f"{'CreateOrder p50/p99 ms':>23} {'engines CPU ms/order':>21} {'caught up s':>12}"
        )
        for variant, outcome in zip(variants, outcomes, strict=True):
            print(
                f"{variant.label:60} {outcome.orders_per_second:9.1f} "
                f"{outcome.orders_per_second / base.orders_per_second:6.2f} "
                f"{outcome.server_cpu_ms_per_order:13.1f} {outcome.worst_p99_ms:13.1f} "
                f"{outcome.create_order_p50_ms:11.1f}/{outcome.create_order_p99_ms:<11.1f} "
                f"{outcome.engines_cpu_ms_per_order:21.1f} {outcome.caught_up_seconds:12.1f}"
            )
    if args.reservation_agent:
        print_paired_ratios(variants, outcomes)


def print_paired_ratios(variants: list[Variant], outcomes: list[Outcome]) -> None:
    """Agents on over agents off, each "on" variant paired with the "off" one run right after it (the
    same code and transport): on a noisy machine the pairs' median says more than any one run does,
    since one build's orders/s moves by a fifth between runs minutes apart."""
    ratios: dict[str, list[float]] = collections.defaultdict(list)
    last_on: dict[str, Outcome] = {}
    for variant, outcome in zip(variants, outcomes, strict=True):
        key = replace(variant, reservation_agent=None, agents_cohosted=False).label
        if variant.reservation_agent and not variant.agents_cohosted:
            last_on[key] = outcome
        elif variant.reservation_agent is False and key in last_on:
            ratios[key].append(last_on.pop(key).orders_per_second / outcome.orders_per_second)
    print("\nagents on / agents off, per round (each pair run back to back):")
    for key, found in ratios.items():
        listed = " ".join(f"{ratio:.2f}" for ratio in found)
        print(f"{key:40} {listed}  median {statistics.median(found):.2f} (rounds: {len(found)})")


if __name__ == "__main__":
    main()
