"""The composition root: builds the object graph from settings and starts servers.

This is the only place that knows every service; `hph up` hosts them all in one process and
`hph serve --services ...` any subset, built the same way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hph.host.extensions import declare_extension_groups
from hph.runtime import clock as clocks
from hph.runtime import consumers
from hph.runtime.auth import revocation
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.auth.errors import AuthConfigError, InvalidTokenError
from hph.runtime.auth.principal import Principal
from hph.runtime.auth.revocation import RevocationList
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.auth.token_cache import VerifiedTokens
from hph.runtime.auth.verifier import build_verifier
from hph.runtime.channels import ChannelPool, parse_addresses
from hph.runtime.consumers import ConsumerSettings, EventConsumers, RetentionSweeper
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Unavailable
from hph.runtime.eventlog import EventLog, PartitionCountMismatch, create_topics, open_event_log
from hph.runtime.events import TOPIC_PARTITIONS, OutboxRelay
from hph.runtime.hot_caches import HotCaches
from hph.runtime.memory import CONTAINERS as MEMORY_CONTAINERS
from hph.runtime.memory import open_memory
from hph.runtime.narrator import open_narrator
from hph.runtime.rpc.forwarding import Forwarder, forwarding_binding
from hph.runtime.server import GrpcHost, ServiceBinding, start_grpc_host
from hph.runtime.settings import Settings
from hph.runtime.storage import Container, ContainerSpec, DocumentStore, PartitionKeyPathMismatch
from hph.runtime.storage.registry import registry
from hph.runtime.storage.routed import RoutedDocumentStore
from hph.runtime.storage.sqlite import SqliteDocumentStore
from hph.runtime.unimplemented import unimplemented_binding

log = logging.getLogger("hph.host")

Factory = Callable[[Dependencies], Awaitable[ServiceBinding]]
PROTO_PACKAGE = "holidaypeak.commerce.v1"
AGENT_PACKAGE = "holidaypeak.agents.v1"
# The containers the platform itself keeps, whichever services it hosts.
PLATFORM_CONTAINERS: tuple[ContainerSpec, ...] = (*revocation.CONTAINERS, *consumers.CONTAINERS, *MEMORY_CONTAINERS)


@dataclass(frozen=True)
class ServiceSpec:
    """A hostable commerce service or agent: CLI name, proto service and where its implementation
    lives. Agents are hosted exactly like services (one gRPC servicer built from `Dependencies`);
    only their proto package differs."""

    name: str
    proto_service: str
    proto_module: str
    implementation: str = ""  # "module:factory"; empty while only the contract exists
    planned: str = ""  # why it answers UNIMPLEMENTED for now (when there is no implementation)
    package: str = PROTO_PACKAGE
    # Answers from an in-memory replica that follows every event (hph.agents.runtime.FollowedProjection):
    # where the agents have a process of their own, only that process keeps the replica and answers
    # (`Duties.replicas_apart`).
    replica: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.package}.{self.proto_service}"

    @property
    def is_agent(self) -> bool:
        return self.package == AGENT_PACKAGE

    async def binding(self, deps: Dependencies) -> ServiceBinding:
        importlib.import_module(f"{self.package}.{self.proto_module}")  # registers the descriptor
        if not self.implementation:
            return unimplemented_binding(self.full_name, self.planned)
        module_name, factory_name = self.implementation.split(":")
        factory: Factory = getattr(importlib.import_module(module_name), factory_name)
        return await factory(deps)

    def forwarded(self, forwarder: Forwarder) -> ServiceBinding:
        """This service hosted by forwarding each call to where `forwarder` routes it."""
        module = importlib.import_module(f"{self.package}.{self.proto_module}")
        methods = module.DESCRIPTOR.services_by_name[self.proto_service].methods
        return forwarding_binding(self.full_name, [method.name for method in methods], forwarder)

    def containers(self) -> tuple[ContainerSpec, ...]:
        """The containers the implementation declares it keeps: its module's `CONTAINERS`."""
        if not self.implementation:
            return ()
        module = importlib.import_module(self.implementation.split(":")[0])
        declared = getattr(module, "CONTAINERS", None)
        if not isinstance(declared, tuple) or not all(isinstance(spec, ContainerSpec) for spec in declared):
            raise TypeError(f"{module.__name__} must declare CONTAINERS, a tuple of ContainerSpec")
        return declared


def declared_containers(services: Sequence[ServiceSpec]) -> tuple[ContainerSpec, ...]:
    """Every container a platform hosting `services` uses, each once."""
    return tuple(dict.fromkeys([*PLATFORM_CONTAINERS, *(spec for s in services for spec in s.containers())]))


async def provision(store: DocumentStore, containers: Sequence[ContainerSpec]) -> dict[ContainerSpec, Container]:
    """Creates the containers that do not exist yet; PartitionKeyPathMismatch if one exists with
    another partition key (Cosmos DB and `infra/` get the same names and keys from the same list)."""
    return {spec: await spec.open(store) for spec in containers}


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("catalog", "CatalogService", "catalog_service_pb2", "hph.services.catalog.servicer:create_binding"),
    ServiceSpec("reviews", "ReviewService", "review_service_pb2", "hph.services.reviews.servicer:create_binding"),
    ServiceSpec("users", "UserService", "user_service_pb2", "hph.services.users.servicer:create_binding"),
    ServiceSpec(
        "inventory", "InventoryService", "inventory_service_pb2", "hph.services.inventory.servicer:create_binding"
    ),
    ServiceSpec("cart", "CartService", "cart_service_pb2", "hph.services.cart.servicer:create_binding"),
    ServiceSpec("checkout", "CheckoutService", "checkout_service_pb2", "hph.services.checkout.servicer:create_binding"),
    ServiceSpec("orders", "OrderService", "order_service_pb2", "hph.services.orders.servicer:create_binding"),
    ServiceSpec("payments", "PaymentService", "payment_service_pb2", "hph.services.payments.servicer:create_binding"),
    ServiceSpec(
        "tickets",
        "SupportTicketService",
        "support_ticket_service_pb2",
        "hph.services.tickets.servicer:create_binding",
    ),
    ServiceSpec(
        "shipments", "ShipmentService", "shipment_service_pb2", "hph.services.shipments.servicer:create_binding"
    ),
    ServiceSpec("returns", "ReturnService", "return_service_pb2", "hph.services.returns.servicer:create_binding"),
    ServiceSpec(
        "analytics", "AnalyticsService", "analytics_service_pb2", "hph.services.analytics.servicer:create_binding"
    ),
    ServiceSpec(
        "proposals",
        "ProductProposalService",
        "product_proposal_service_pb2",
        "hph.services.proposals.servicer:create_binding",
    ),
)
SERVICE_NAMES = tuple(spec.name for spec in SERVICES)


def agent(name: str, implementation: str = "", planned: str = "", *, replica: bool = False) -> ServiceSpec:
    """The spec of agent `name` (kebab-case, as in the agents table): its contract is
    `holidaypeak.agents.v1.<Pascal>Service` in `<snake>_service.proto`."""
    pascal = "".join(part.capitalize() for part in name.split("-"))
    snake = name.replace("-", "_")
    return ServiceSpec(
        name, f"{pascal}Service", f"{snake}_service_pb2", implementation, planned, AGENT_PACKAGE, replica
    )


# The retail agents (../shared/docs/agents.md), in the order of its table; `hph up` hosts them beside the
# services and `hph serve --agents ...` any subset (one pod per agent in Kubernetes). A spec without
# an implementation answers UNIMPLEMENTED with its `planned` note. One entry per line, so adding an
# implementation is a one-line change.
AGENTS: tuple[ServiceSpec, ...] = (
    agent("catalog-search", "hph.agents.catalog_search.servicer:create_binding", replica=True),
    agent("product-detail-enrichment", "hph.agents.product_detail_enrichment.servicer:create_binding"),
    agent("cart-intelligence", "hph.agents.cart_intelligence.servicer:create_binding"),
    agent("checkout-support", "hph.agents.checkout_support.servicer:create_binding"),
    agent("order-status", "hph.agents.order_status.servicer:create_binding"),
    agent(
        "normalization-classification",
        "hph.agents.normalization_classification.servicer:create_binding",
        replica=True,
    ),
    agent("acp-transformation", "hph.agents.acp_transformation.servicer:create_binding"),
    agent("consistency-validation", "hph.agents.consistency_validation.servicer:create_binding", replica=True),
    agent("assortment-optimization", "hph.agents.assortment_optimization.servicer:create_binding"),
    agent("crm-profile-aggregation", "hph.agents.crm_profile_aggregation.servicer:create_binding"),
    agent("crm-segmentation-personalization", "hph.agents.crm_segmentation_personalization.servicer:create_binding"),
    agent("crm-campaign-intelligence", "hph.agents.crm_campaign_intelligence.servicer:create_binding"),
    agent("crm-support-assistance", "hph.agents.crm_support_assistance.servicer:create_binding"),
    agent("inventory-health-check", "hph.agents.inventory_health_check.servicer:create_binding"),
    agent("inventory-jit-replenishment", "hph.agents.inventory_jit_replenishment.servicer:create_binding"),
    agent("inventory-reservation-validation", "hph.agents.inventory_reservation_validation.servicer:create_binding"),
    agent("inventory-alerts-triggers", "hph.agents.inventory_alerts_triggers.servicer:create_binding"),
    agent("logistics-eta-computation", "hph.agents.logistics_eta_computation.servicer:create_binding"),
    agent("logistics-carrier-selection", "hph.agents.logistics_carrier_selection.servicer:create_binding"),
    agent("logistics-returns-support", "hph.agents.logistics_returns_support.servicer:create_binding"),
    agent("logistics-route-issue-detection", "hph.agents.logistics_route_issue_detection.servicer:create_binding"),
)
AGENT_NAMES = tuple(spec.name for spec in AGENTS)


def select_services(names: Sequence[str]) -> list[ServiceSpec]:
    """The specs of `names`, each a service or an agent name; ValueError naming any unknown one."""
    by_name = {spec.name: spec for spec in (*SERVICES, *AGENTS)}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        choices = ", ".join((*SERVICE_NAMES, *AGENT_NAMES))
        raise ValueError(f"unknown service(s) or agent(s) {', '.join(unknown)}; choose from {choices}")
    return [by_name[n] for n in dict.fromkeys(names)]


# The embedded store's files by the registry's `sqliteFile` name (hph.runtime.storage.registry): one
# writer per SQLite file, and a commit from one process empties the other processes' page cache of
# that file, so what different processes write on every event lives apart (hph.runtime.storage.routed).
SQLITE_FILES = {
    "hph": "hph.sqlite3",  # the commerce services' documents and their outbox
    "agents": "agents.sqlite3",  # the agents' projections, written by the agents' process
    "consumers": "consumers.sqlite3",  # every consumer group's ledger of handled events
}


def sqlite_file_path(settings: Settings, name: str) -> Path:
    return settings.data_dir / SQLITE_FILES[name]


def database_path(settings: Settings) -> Path:
    return sqlite_file_path(settings, "hph")


def agents_database_path(settings: Settings) -> Path:
    return sqlite_file_path(settings, "agents")


def consumers_database_path(settings: Settings) -> Path:
    return sqlite_file_path(settings, "consumers")


async def open_sqlite_store(settings: Settings) -> DocumentStore:
    """The embedded store: `hph.sqlite3`, and beside it the files the registry puts containers in:
    `agents.sqlite3` (the agents' projections, written on every event they follow) and
    `consumers.sqlite3` (every consumer group's handled marks, written by each process after every
    batch it handles). See hph.runtime.storage.routed."""
    stores: dict[str, DocumentStore] = {}
    try:
        for name in SQLITE_FILES:  # hph first: it creates the data dir
            stores[name] = await SqliteDocumentStore.open(sqlite_file_path(settings, name))
    except BaseException:
        await asyncio.gather(*(store.close() for store in stores.values()), return_exceptions=True)
        raise
    routes = {entry.spec.name: stores[entry.sqlite_file] for entry in registry().values() if entry.sqlite_file != "hph"}
    return RoutedDocumentStore(stores["hph"], routes)


STORAGE_ADAPTERS = ("sqlite", "postgres", "cosmos")


async def open_store(settings: Settings) -> DocumentStore:
    """The document store HPH_STORAGE names; StorageError when its server cannot be reached."""
    if settings.storage == "sqlite":
        return await open_sqlite_store(settings)
    if settings.storage == "postgres":
        if not settings.postgres_dsn:
            raise ValueError("HPH_STORAGE=postgres needs HPH_POSTGRES_DSN (postgresql://user@host:5432/database)")
        # Imported here: only processes that use PostgreSQL pay for loading its driver.
        from hph.runtime.storage.postgres import PostgresDocumentStore

        settings.data_dir.mkdir(parents=True, exist_ok=True)  # dev issuer keys and local files
        return await PostgresDocumentStore.open(
            settings.postgres_dsn, schema=settings.postgres_schema, max_connections=settings.postgres_pool_size
        )
    if settings.storage == "cosmos":
        if not settings.cosmos_endpoint:
            raise ValueError(
                "HPH_STORAGE=cosmos needs HPH_COSMOS_ENDPOINT (https://<account>.documents.azure.com:443/)"
            )
        # Imported here: only processes that use Cosmos DB pay for loading its SDK.
        from hph.runtime.azure_clients import require_emulator_for_keys
        from hph.runtime.storage.cosmos import CosmosDocumentStore

        require_emulator_for_keys(settings, HPH_COSMOS_KEY=settings.cosmos_key)

        settings.data_dir.mkdir(parents=True, exist_ok=True)  # dev issuer keys and local files
        return await CosmosDocumentStore.open(
            settings.cosmos_endpoint,
            settings.cosmos_database,
            key=settings.cosmos_key,
            verify_tls=settings.cosmos_verify_tls,
            manage_containers=settings.cosmos_manage_containers,
        )
    raise ValueError(f"unknown storage adapter {settings.storage!r}; choose one of {', '.join(STORAGE_ADAPTERS)}")


@dataclass
class RunningPlatform:
    settings: Settings
    store: DocumentStore
    grpc: GrpcHost
    channels: ChannelPool
    deps: Dependencies
    log: EventLog
    # Full names of the hosted services and agents whose implementation has not landed yet.
    planned: tuple[str, ...] = ()
    # With `Duties.replicas_apart`: where the replica-keeping agents' calls go, once `route`d.
    forwarder: Forwarder | None = None

    async def stop(self) -> None:
        # Consumers first, while the services their handlers call still answer (stopped later, a
        # handler would fail its retries against a closing server and dead-letter its event); what
        # is appended after this waits in the log for the next start.
        if self.deps.bus is not None:
            await self.deps.bus.stop()
        await self.grpc.stop(self.settings.shutdown_grace_seconds)
        for task in reversed(self.deps.background):
            await task.stop()
        if self.deps.relay is not None:
            await self.deps.relay.stop()
        if self.deps.memory is not None:
            await self.deps.memory.close()  # demotes write-behind entries while the store is open
        await self.deps.narrator.close()
        await self.deps.caches.close()
        await self.channels.close()
        if self.forwarder is not None:
            await self.forwarder.close()
        await self.log.close()
        await self.store.close()


@dataclass(frozen=True)
class Duties:
    """What a platform process runs besides answering calls. Every process keeps the outbox relay
    and its hot tier; the rest is placed once per data dir (with the embedded log, one reader of a
    group's partitions; with Redis, one share of them per host):

    - `services`: the commerce services' shared consumer groups and periodic jobs (sweepers), and
      the log's retention sweep;
    - `agents`: the agents' shared consumer groups (their projections) and periodic jobs, which cost
      more CPU per order than the services' own and need no answer within a call, so `hph up` runs
      them in a process of their own (`AGENTS_APART`), on a core the services do not wait for;
    - `serves`: the per-replica groups (in-memory projections such as the search index), which only
      a process answering calls needs;
    - `replicas_apart`: the agents that answer from such a replica (`ServiceSpec.replica`) are
      answered by the agents' process, which keeps it; this process forwards their calls there
      (hph.runtime.rpc.forwarding) and follows no event for them. A replica follows every order's
      stock and sales events, which in the process answering the checkout cost it a fifth of its CPU.
    """

    services: bool
    agents: bool
    serves: bool = True
    replicas_apart: bool = False


EVERYTHING = Duties(services=True, agents=True)
SERVING = Duties(services=False, agents=False)  # an extra worker of `hph up --workers N`
# The first worker and the extra ones when the agents run apart.
SERVICES_FIRST = Duties(services=True, agents=False, replicas_apart=True)
SERVING_BESIDE_AGENTS = Duties(services=False, agents=False, replicas_apart=True)
AGENTS_APART = Duties(services=False, agents=True)  # the process `hph up` starts for them


def _older_layout(settings: Settings, mismatch: PartitionKeyPathMismatch) -> ValueError:
    """What to tell an operator whose store was written with another container layout."""
    if settings.storage == "postgres":
        return ValueError(
            f"the PostgreSQL schema {settings.postgres_schema!r} was written by a version of Holiday Peak Hub "
            f"that stored {mismatch.container!r} differently ({mismatch}); drop it or start with another "
            "HPH_POSTGRES_SCHEMA to begin with fresh demo data"
        )
    return ValueError(
        f"the data dir {settings.data_dir} was written by a version of Holiday Peak Hub that stored "
        f"{mismatch.container!r} differently ({mismatch}); move it away or start with another "
        "--data-dir (HPH_DATA_DIR) to begin with fresh demo data"
    )


async def start_platform(
    settings: Settings,
    services: Sequence[ServiceSpec],
    *,
    seed: bool,
    duties: Duties = EVERYTHING,
    reuse_port: bool = False,
    clock: clocks.Clock = clocks.system_clock,
) -> RunningPlatform:
    """Opens storage, optionally seeds demo data, and serves the chosen services on one server.

    `duties` says which background work this process takes (`Duties`; another process of the same
    platform takes the rest); `reuse_port` lets several worker processes share the gRPC port.

    A data dir whose containers were created with other partition keys, or an event log whose topics
    have other partition counts, is refused with a ValueError saying so; that happens while creating
    the topics or the declared containers (or seeding, or building the services), before anything is
    served, so closing the store and the log is all the cleanup it needs.

    `clock` is the services' `deps.clock` (the history generator passes a simulated one); the event
    log, consumers, relay and token checks keep the wall clock.
    """
    store = await open_store(settings)
    try:
        log_ = await open_event_log(settings)
    except BaseException:
        await store.close()
        raise
    try:
        return await _start_on(
            store, log_, settings, services, seed=seed, duties=duties, reuse_port=reuse_port, clock=clock
        )
    except PartitionKeyPathMismatch as mismatch:
        await log_.close()
        await store.close()
        raise _older_layout(settings, mismatch) from mismatch
    except PartitionCountMismatch as mismatch:
        await log_.close()
        await store.close()
        raise ValueError(
            f"the event log ({settings.event_log}) has {mismatch.topic!r} with {mismatch.existing} partitions where "
            f"this version declares {mismatch.requested} (hph.runtime.events.TOPIC_PARTITIONS); a topic's partition "
            "count never changes: give the platform a new log (another data dir or Redis key prefix)"
        ) from mismatch


async def _start_on(
    store: DocumentStore,
    log_: EventLog,
    settings: Settings,
    services: Sequence[ServiceSpec],
    *,
    seed: bool,
    duties: Duties,
    reuse_port: bool,
    clock: clocks.Clock = clocks.system_clock,
) -> RunningPlatform:
    channels = ChannelPool(parse_addresses(settings.service_addresses))
    # The registry's topics exist before anything appends or subscribes (a log created with other
    # partition counts is refused here: PartitionCountMismatch).
    await create_topics(log_, TOPIC_PARTITIONS)
    consumer_settings = ConsumerSettings.from_settings(settings)
    if duties.agents and not duties.services:  # the agents' process (HPH_AGENTS_CONSUMER_LINGER_SECONDS)
        consumer_settings = dataclasses.replace(consumer_settings, linger=settings.agents_consumer_linger_seconds)
    bus = await EventConsumers.open(log_, store, settings=consumer_settings)
    relay = OutboxRelay(log_, poll_interval=settings.outbox_poll_seconds, on_appended=bus.notify)
    relay.attach(store)
    issuer = DevIssuer.from_settings(settings) if settings.dev_issuer_enabled else None
    revocations = RevocationList(store, cache_seconds=settings.revocation_cache_seconds)
    # Before anything reads or seeds them: a data dir written with another layout is refused here.
    containers = await provision(store, declared_containers(services))
    deps = Dependencies(
        settings=settings,
        store=store,
        channels=channels,
        service_credentials=ServiceCredentials(issuer),
        relay=relay,
        bus=bus,
        revocations=revocations,
        memory=await open_memory(settings, store),
        narrator=open_narrator(settings),
        caches=HotCaches.from_settings(settings),
        clock=clock,
    )
    if seed:
        from hph.host.seed import seed_demo_data

        await seed_demo_data(deps, only_if_empty=True)
    verifier = build_verifier(settings, is_revoked=revocations.is_revoked)
    verified = VerifiedTokens(verifier.verify, revocations.is_revoked)

    async def authenticate(token: str) -> Principal:
        try:
            return await verified.principal(token)
        except InvalidTokenError as exc:
            raise exc.to_domain_error() from None
        except AuthConfigError:
            log.exception("identity provider metadata unavailable")
            raise Unavailable("the identity provider cannot be reached; retry shortly") from None

    # Which groups and periodic jobs are the agents': those their bindings declared or added.
    agents_groups: set[str] = set()
    agents_jobs: set[int] = set()  # ids: a job need not be hashable
    bindings = []
    forwarder = Forwarder() if duties.replicas_apart else None
    for hosted in services:
        if forwarder is not None and hosted.replica:
            bindings.append(hosted.forwarded(forwarder))
            continue
        groups_before, jobs_before = set(bus.groups), len(deps.background)
        bindings.append(await hosted.binding(deps))
        if hosted.is_agent:
            agents_groups.update(set(bus.groups) - groups_before)
            agents_jobs.update(id(job) for job in deps.background[jobs_before:])
    await declare_extension_groups(settings.consumer_extensions, deps)
    for spec, container in containers.items():
        if spec.outbox:
            relay.register(container)
    host = await start_grpc_host(
        bindings, host=settings.grpc_host, port=settings.grpc_port, authenticate=authenticate, reuse_port=reuse_port
    )
    channels.set_local_address(f"{settings.grpc_host}:{host.port}", host.local if settings.inprocess_calls else None)
    await relay.start()
    # Another process of this platform runs what this one's duties leave out; RunningPlatform.stop
    # stops what ran here.
    deps.background[:] = [
        job for job in deps.background if (duties.agents if id(job) in agents_jobs else duties.services)
    ]
    # Shared groups run where the background jobs run: with the embedded log that is the one
    # process reading each group; with Redis every such process takes its share of each group's
    # partitions. Per-replica groups run in every process that answers calls.
    await bus.start(
        shared=lambda group: duties.agents if group in agents_groups else duties.services, replicas=duties.serves
    )
    if duties.services:
        deps.background.append(
            RetentionSweeper(
                log_,
                bus.state.ledger,
                bus.state.dead_letters,
                retention=timedelta(hours=settings.event_retention_hours),
            )
        )
    for task in deps.background:
        await task.start()
    if deps.memory is not None:
        await deps.memory.start(archive=duties.services)  # every worker demotes its own hot tier
    planned = tuple(spec.full_name for spec in services if not spec.implementation)
    return RunningPlatform(
        settings=settings,
        store=store,
        grpc=host,
        channels=channels,
        deps=deps,
        log=log_,
        planned=planned,
        forwarder=forwarder,
    )
