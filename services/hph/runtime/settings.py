"""The one settings object, read from `HPH_*` environment variables and nowhere else.

Every variable is documented in docs/configuration.md, generated from the field comments below
(`hph docs`). `Settings.from_env()` is called once, by the composition root; everything else
receives the object.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hph.runtime.profiles import profile_defaults

DEFAULT_AUDIENCE = "api://holiday-peak-hub"
DEV_ISSUER = "https://dev.holidaypeak.local/issuer"


@dataclass(frozen=True)
class Settings:
    """Platform configuration; the comment above each field is its row in docs/configuration.md."""

    # A named set of defaults for the settings below (docs/profiles.md): "embedded" (the default:
    # everything in the data dir) or "local-cluster" (PostgreSQL, Redis Streams, Redis and azurite on
    # this machine, which several hosts share); a variable set explicitly still wins.
    profile: str = ""
    # Where embedded state lives: SQLite database, dev issuer keys, local files.
    data_dir: Path = Path(".hph-data")
    # Interface the gRPC server binds to.
    grpc_host: str = "127.0.0.1"
    # gRPC port; 0 picks a free one.
    grpc_port: int = 50051
    # Server processes `hph up` / `hph serve` run, each hosting every selected service (and with
    # `hph up`, the REST gateway) on the same ports (SO_REUSEPORT spreads connections over them); use
    # one per core at peak. Extra workers skip seeding and background jobs; in-process caches are
    # per worker (stale for at most their TTL).
    workers: int = 1
    # Interface the REST gateway binds to.
    http_host: str = "127.0.0.1"
    # REST gateway port; 0 picks a free one.
    http_port: int = 8080
    # gRPC address the REST gateway forwards to; empty means this process's own gRPC server.
    gateway_grpc_target: str = ""
    # Browser origins allowed by CORS, comma-separated (e.g. "https://shop.example"); empty = none.
    cors_allowed_origins: str = ""
    # Whether CORS responses allow credentials (never combined with a wildcard origin).
    cors_allow_credentials: bool = False
    # Largest accepted REST request body, bytes; larger bodies get 413.
    max_request_body_bytes: int = 1_048_576
    # REST requests per minute per authenticated user (JWT subject); 429 with Retry-After beyond
    # (0 = off).
    rate_limit_per_user_per_minute: int = 100
    # REST requests per minute per client IP address (0 = off).
    rate_limit_per_ip_per_minute: int = 600
    # Where the REST rate limits' token buckets live: "local" (embedded default: this process, or with
    # several `hph up` workers a table they share) or "redis" (at HPH_REDIS_URL, one budget per user and
    # per IP across every host using it; while Redis is unreachable each host enforces the limits
    # alone, fails open to its own buckets, and says so in a warning and in /ready).
    rate_limits: str = "local"
    # Prefix of the rate limits' Redis keys, so several platforms can share one server.
    rate_limit_redis_prefix: str = "hph:limits:"
    # Longest wait for Redis by a rate-limit check or a hot cache read, seconds; a slower answer
    # counts as Redis being down (the check fails open, the read goes to storage).
    redis_call_timeout_seconds: float = 0.25
    # REST JSON prints fields holding their default value (0, false, "", []) instead of omitting them
    # (Envoy's always_print_primitive_fields), so the storefront always finds the keys it reads.
    json_emit_defaults: bool = True
    # `hph up` runs the REST gateway inside every server worker (sharing the HTTP port like the gRPC
    # one) and calls the services beside it in-process; with several workers the rate limits live in
    # one table they share (on tmpfs, `/dev/shm/hph-rate-limits-<hash of the data dir>`, else
    # `<data dir>/run/rate-limits`; in Redis instead with HPH_RATE_LIMITS=redis). A co-hosted
    # gateway routes only the services its process hosts. False runs it as one separate process that
    # reaches them over gRPC only, the topology of the Envoy edge it stands in for.
    gateway_cohosted: bool = True
    # `hph up` (and `hph serve` hosting agents) runs the agents' shared consumer groups (their
    # projections) and periodic jobs in a process of their own, started and stopped with it, so the
    # event work each order causes in the agents runs on another core than the calls the shopper
    # waits for (the calls to the agents stay in the serving workers, except search, which answers
    # from an index of every event and is forwarded to the agents' process that keeps it). True runs
    # them in the first server worker beside the services' own, and every worker keeps its own index.
    agents_background_cohosted: bool = False
    # Serve MCP (Model Context Protocol, Streamable HTTP, stateless) at `/mcp` on the REST port: the
    # agents' RPCs and a few commerce reads as tools, authorised by the caller's bearer token.
    mcp_enabled: bool = True
    # Bearer token (a JWT, e.g. from `hph token`) that `hph mcp` sends with every tool call; empty
    # calls anonymously. Prefer this variable to `--token`, which other users can see in the process
    # list. Never logged.
    token: str = field(default="", repr=False)
    # Deadline of each upstream gRPC call made by the gateway, seconds.
    gateway_upstream_timeout_seconds: float = 15.0
    # Connections the gateway keeps to its gRPC target, calls spread round robin; 0 = four per worker
    # (one with a single worker): the kernel hashes connections to workers at random, so one each
    # would often leave a worker idle. A co-hosted gateway keeps one, its unary calls staying in-process.
    gateway_upstream_connections: int = 0
    # How long a token found not revoked is trusted without asking storage again, seconds (0 = off);
    # a logout through another worker takes effect within this time, through this one at once.
    revocation_cache_seconds: float = 1.0
    # How long catalog reads are served from the in-process hot cache, seconds (0 = off); a replica's
    # own writes invalidate at once, and a hot entry is refreshed in the background before it expires.
    catalog_cache_seconds: float = 2.0
    # Where the hot caches shared by hosts live (catalog products and pages): "memory" (embedded
    # default: each process its own, stale on other hosts for at most their TTL) or "redis" (at
    # HPH_REDIS_URL, one copy for every host, dropped by the writer and by product events; see
    # docs/adapters.md for the staleness bound).
    hot_cache: str = "memory"
    # Prefix of the hot cache's Redis keys, so several platforms can share one server.
    cache_redis_prefix: str = "hph:cache:"
    # With HPH_HOT_CACHE=redis, how long a process keeps its own copy of an entry read from Redis,
    # seconds (0 = none, every read asks Redis); product events drop it sooner, and this bounds how
    # long another host's change (e.g. a stock flip) may be served stale from it.
    cache_local_seconds: float = 0.5
    # Deadline of the catalog's call to the catalog-search agent for `GET /api/products?search=`,
    # seconds; past it (or when the agent is down or still building its index) the catalog answers
    # with its own word matching and sets `search_fallback`.
    search_agent_deadline_seconds: float = 0.25
    # How long the catalog-search agent gathers index changes from events before making them
    # searchable in one commit, seconds (a product change is searchable within about this much).
    search_commit_interval_seconds: float = 0.05
    # How long the catalog-search agent answers a repeated search or suggest request from memory,
    # seconds (0 = off); every index commit clears these answers, so they never lag the index.
    search_cache_seconds: float = 30.0
    # How long sales analytics answers are served from the in-process cache, seconds (0 = off);
    # figures may lag sales by this much.
    analytics_cache_seconds: float = 30.0
    # How long the product-detail-enrichment agent serves a product page's insights and similar
    # products from memory, seconds (0 = off); reviews, stock and co-purchases may lag by this much.
    product_insights_cache_seconds: float = 10.0
    # How long the normalization-classification and consistency-validation agents wait for product
    # events to stop before retraining the category classifier on the changed catalog, seconds (a
    # bulk edit trains once; the first model is trained as soon as the catalog is read).
    classifier_retrain_debounce_seconds: float = 2.0
    # How long the cart-intelligence agent answers a shopper's cart insights from memory while the
    # cart is unchanged (same etag), seconds (0 = off); stock, prices and the shopper's checkout
    # history may lag by this much, a change to the cart never does.
    cart_insights_cache_seconds: float = 5.0
    # Seconds between the outbox relay's scans for records this process was not told about (written
    # by another process or before a crash); its own commits are published at once.
    outbox_poll_seconds: float = 2.0
    # The durable event log the outbox relay appends to and consumer groups read: "sqlite" (embedded
    # default, `events.sqlite3` in the data dir, consumed by the one process that runs the background
    # jobs), "redis" (Redis Streams at HPH_REDIS_URL, shared by every process pointed at it, which
    # balance each consumer group's partitions among themselves) or "eventhubs" (Azure Event Hubs at
    # HPH_EVENTHUBS_NAMESPACE, checkpoints and leases in Blob Storage; see docs/adapters.md).
    event_log: str = "sqlite"
    # Event Hubs namespace of HPH_EVENT_LOG=eventhubs, fully qualified ("NAME.servicebus.windows.net");
    # one event hub per topic, provisioned by infra/ from the topic registry.
    eventhubs_namespace: str = ""
    # Blob container of the Event Hubs checkpoint store (checkpoints, partition ownership, consumer
    # membership), in the HPH_AZURE_STORAGE_ACCOUNT_URL account; created when missing.
    eventhubs_checkpoint_container: str = "eventhub-checkpoints"
    # How long an Event Hubs read waits for the partition's receiver to hand over events before it
    # answers with none, seconds (consumers poll again after HPH_CONSUMER_POLL_SECONDS).
    eventhubs_receive_wait_seconds: float = 0.2
    # Blob Storage account of the Azure adapters ("https://NAME.blob.core.windows.net"), reached with
    # DefaultAzureCredential (workload identity on AKS): the cold memory tier and the Event Hubs
    # checkpoint store.
    azure_storage_account_url: str = ""
    # Connect the Azure adapters to local emulators (azurite) with the connection strings below
    # instead of DefaultAzureCredential. Connection strings and account keys are refused without it,
    # so production runs on identities only.
    azure_emulator: bool = False
    # Blob Storage connection string of an emulator (azurite), with HPH_AZURE_EMULATOR=true only;
    # never logged.
    azure_storage_connection_string: str = field(default="", repr=False)
    # Event Hubs connection string of an emulator, with HPH_AZURE_EMULATOR=true only; never logged.
    eventhubs_connection_string: str = field(default="", repr=False)
    # Redis server shared by the processes of a platform (redis://host:port/db); empty = none, and
    # everything that can use it runs embedded instead: the memory hot tier, and what is asked for
    # explicitly: the event log (HPH_EVENT_LOG=redis), the rate limits (HPH_RATE_LIMITS=redis) and
    # the hot cache (HPH_HOT_CACHE=redis).
    redis_url: str = field(default="", repr=False)
    # Prefix of every Redis key of the event log (streams, checkpoints, leases); platforms sharing
    # one Redis keep apart by giving each its own.
    redis_key_prefix: str = "hph:eventlog:"
    # How long the event log keeps events, hours; older ones are trimmed hourly, with the consumers'
    # idempotency marks and replayed dead letters of the same age (parked dead letters stay).
    event_retention_hours: float = 168.0
    # Events a consumer reads and handles per partition before it checkpoints.
    consumer_batch_size: int = 100
    # Attempts a consumer handler gets at one event (waiting a jittered, doubling pause from
    # HPH_CONSUMER_BACKOFF_SECONDS between them) before the event goes to the dead-letter store.
    consumer_max_attempts: int = 5
    # First pause before a failed event is handled again, seconds (doubles per attempt, at most 5 s).
    consumer_backoff_seconds: float = 0.1
    # How often the consumers look for events appended by other processes, seconds (one look per
    # topic for every group; this process's own appends wake them at once); dead letters an operator
    # asked to replay and resets made elsewhere are looked for every max(1, this) seconds.
    consumer_poll_seconds: float = 0.25
    # Lifetime of a consumer's lease on a partition with the Redis event log, seconds; renewed every
    # third of it, so a consumer that dies hands its partitions to the others after at most this long.
    consumer_lease_seconds: float = 10.0
    # Seconds a busy consumer waits after a partial batch before reading again, so the next batch
    # gathers what arrives meanwhile (an event on an idle partition is read at once); 0 reads at once.
    consumer_linger_seconds: float = 0.05
    # The same in the agents' process (HPH_AGENTS_BACKGROUND_COHOSTED=false): its projections answer no
    # call, so their batches wait longer and grow; fewer, larger commits cost it less CPU per order and
    # disturb the serving processes' reads of the same SQLite file less (each commit from another
    # process makes their page cache start over).
    agents_consumer_linger_seconds: float = 0.25
    # Most seconds between two checkpoint writes of a consumer (a stopping one writes at once); events
    # handled after the last checkpoint come again after a crash and the ledger skips them.
    consumer_checkpoint_seconds: float = 5.0
    # Consumer groups from outside the hosted services, run beside theirs: comma-separated
    # `module:function`, each called once at start with the platform's dependencies to declare groups
    # on `deps.bus` (a projection or tool shipped as its own package; tests declare probe groups).
    consumer_extensions: str = ""
    # Lifetime of a stock reservation hold before the sweeper expires it, seconds.
    reservation_hold_seconds: int = 900
    # Deadline of a commerce service's call to an agent when the caller sets none, seconds; past it
    # the caller answers with its fallback, so an agent never makes a shopper wait longer.
    agent_call_deadline_seconds: float = 0.5
    # Failed calls to one agent (down, past the deadline, not hosted, server error) among its latest
    # agent_breaker_window_calls that open its circuit breaker; while open, callers fall back at once.
    agent_breaker_failures: int = 5
    # How many of an agent's latest calls its circuit breaker counts failures over.
    agent_breaker_window_calls: int = 20
    # How long an open agent breaker skips the agent before one probe call may try it again, seconds.
    agent_breaker_open_seconds: float = 10.0
    # Deadline of CreateOrder's call to the reservation policy agent (inventory-reservation-validation),
    # seconds; past it (or with the agent down) the order goes on with inventory's own atomic check and
    # records the skipped check on the order.
    reservation_check_deadline_seconds: float = 0.2
    # CreateShipment's deadline for asking agent logistics-carrier-selection when the request names
    # no carrier, in seconds; past it (or with the agent down) the shipment gets the service's default
    # carrier and says that selection was skipped.
    carrier_selection_deadline_seconds: float = 0.3
    # Deadline of CreateOrder's fraud risk assessment (agent checkout-support's AssessRisk), seconds;
    # past it (or with the agent down) the order is placed and records the skipped assessment.
    risk_check_deadline_seconds: float = 0.3
    # Deadline of checkout's call for its shipping options' delivery windows (agent
    # logistics-eta-computation's EstimateRoutes), seconds; past it (or with the agent down) the
    # options keep the shipping table's day counts and the response says the windows were skipped.
    delivery_window_deadline_seconds: float = 0.3
    # Fraud risk policy overrides for agent checkout-support (decision thresholds, each driver's
    # threshold and weight): a JSON file path; empty = the policy shipped in
    # agents/hph/agents/checkout_support/risk.py (docs/agents/checkout-support.md shows the format).
    risk_policy_path: str = ""
    # Product-truth review queue: approve agents' proposals on submission without a person, but only
    # for the fields and categories the policy's auto-approval rules name and only at or above its
    # confidence floor (never below it). Off: every proposal waits for a person.
    proposals_auto_approve: bool = False
    # The review queue's policy (each agent's field allow-list, the auto-approval rules and confidence
    # floor): a JSON file path; empty = the file shipped with the service
    # (services/hph/services/proposals/data/proposal_policy.json).
    proposal_policy_path: str = ""
    # Reservation policy data (safety stock, hot SKUs' per-shopper peak limits, backorder terms, the
    # yearly peak window) the agent reads: a JSON file path; empty = the file shipped with the agent
    # (agents/hph/agents/inventory_reservation_validation/data/reservation_policy.json).
    reservation_policy_path: str = ""
    # The peak window during which hot SKUs' per-shopper limits apply: empty = the policy data's yearly
    # window; "off" = never; "START/END" = two RFC 3339 instants (e.g.
    # "2026-11-27T00:00:00Z/2026-12-01T00:00:00Z"). Purchases count from the window's start.
    reservation_peak_window: str = ""
    # Days after an order's delivery during which its customer may request a return.
    return_window_days: int = 30
    # Return policy data of the returns-support agent (final-sale marks, category rules, restocking
    # fees, return shipping fee): a JSON file path; empty = the file shipped with the agent
    # (agents/hph/agents/logistics_returns_support/data/returns_policy.json).
    returns_policy_path: str = ""
    # Deadline of PreviewReturn's call to the returns-support agent (logistics-returns-support),
    # seconds; past it (or with the agent down) the preview answers with the service's own checks and
    # amount and says the estimate was skipped.
    return_estimate_deadline_seconds: float = 0.3
    # The store's public web address: the Agentic Commerce feed's seller_url, and the base of each
    # item's product page URL (`<url>/products/<id>`) (agent acp-transformation).
    store_public_url: str = "https://shop.holidaypeak.example"
    # Seller name shown beside the store's items in AI agents' results (the feed's seller_name).
    store_seller_name: str = "Holiday Peak Hub"
    # Public page of the store's return policy (the feed's return_policy); empty = `<store_public_url>/returns-policy`.
    store_return_policy_url: str = ""
    # ISO 3166-1 alpha-2 country the store sells from (the feed's store_country).
    store_country: str = "US"
    # Countries the store offers its items in, ISO 3166-1 alpha-2, comma-separated (the feed's
    # target_countries).
    store_target_countries: str = "US"
    # Payment provider adapter: "offline" (deterministic simulator) or "stripe".
    payment_provider: str = "offline"
    # Stripe secret key (sk_...), for payment_provider=stripe; never logged.
    stripe_api_key: str = ""
    # Stripe API base URL override (tests point it at a local fake).
    stripe_api_base: str = ""
    # Stripe webhook signing secret (whsec_...), for POST /api/webhooks/stripe.
    stripe_webhook_secret: str = ""
    # Where other services live, "name=host:port,..."; unlisted services are called in-process.
    service_addresses: str = ""
    # Calls to services hosted in this same process skip the loopback socket (same stubs,
    # interceptor and policies); false sends them over gRPC like any other.
    inprocess_calls: bool = True
    # Storage adapter (docs/adapters.md): "sqlite" (embedded default, `hph.sqlite3` in the data dir,
    # the agents' projections in `agents.sqlite3` and the consumers' ledger in `consumers.sqlite3`),
    # "postgres" (the PostgreSQL server at HPH_POSTGRES_DSN, which several hosts can share) or
    # "cosmos" (Azure Cosmos DB for NoSQL at HPH_COSMOS_ENDPOINT).
    storage: str = "sqlite"
    # PostgreSQL connection URL for HPH_STORAGE=postgres
    # (postgresql://user:password@host:5432/database); never logged, errors name only host, port and
    # database.
    postgres_dsn: str = field(default="", repr=False)
    # Schema holding the platform's tables in that database (created if absent); platforms sharing
    # one database keep apart by giving each its own.
    postgres_schema: str = "hph"
    # Most connections each process keeps to PostgreSQL (its pool); mind the server's
    # max_connections across all hosts and workers.
    postgres_pool_size: int = 10
    # Cosmos DB account endpoint for HPH_STORAGE=cosmos (https://<account>.documents.azure.com:443/).
    cosmos_endpoint: str = ""
    # Cosmos DB database holding the platform's containers.
    cosmos_database: str = "hph"
    # Account key: for the emulator only (production signs in with DefaultAzureCredential, workload
    # identity on AKS); never logged.
    cosmos_key: str = field(default="", repr=False)
    # Verify the endpoint's TLS certificate; false only for a local emulator's self-signed one.
    cosmos_verify_tls: bool = True
    # Create the database, containers and composite indexes the code needs (emulator, development
    # accounts with a key); false expects them provisioned by infra/ from
    # services/hph/runtime/storage/containers.json.
    cosmos_manage_containers: bool = False
    # Size bound of the in-process memory hot tier (an LRU), bytes of keys and values; used when
    # redis_url is empty (with Redis, bound it with Redis's maxmemory and a volatile-* policy).
    memory_hot_max_bytes: int = 64 * 1024 * 1024
    # Key prefix of the memory hot tier in Redis, so several platforms can share one server.
    memory_redis_prefix: str = "hph:memory:"
    # How long a memory entry stays in the hot tier after it is written or promoted, seconds (a
    # namespace may choose its own); write-behind entries reach warm storage at the latest then.
    memory_hot_seconds: float = 300.0
    # Lifetime of a memory entry after its last write, seconds (0 = until deleted); a namespace may
    # choose its own.
    memory_ttl_seconds: float = 0.0
    # The memory cold tier: "files" (embedded default, under data_dir/memory-cold) or "blob" (Blob
    # Storage container HPH_MEMORY_COLD_CONTAINER in HPH_AZURE_STORAGE_ACCOUNT_URL).
    memory_cold: str = "files"
    # Blob container of the cold memory tier with HPH_MEMORY_COLD=blob; created when missing.
    memory_cold_container: str = "memory-cold"
    # Age (since it reached warm storage) after which a memory entry moves from warm storage to the
    # cold tier (HPH_MEMORY_COLD), seconds; a namespace may choose its own.
    memory_archive_after_seconds: float = 86_400.0
    # Seconds between the memory archive passes (warm entries past their age to cold, expired
    # entries removed from every tier).
    memory_archive_interval_seconds: float = 300.0
    # Seconds between the passes writing write-behind hot entries that left the hot tier (expired or
    # evicted) to warm storage; an eviction also starts one at once.
    memory_demote_interval_seconds: float = 1.0
    # Seconds between the memory statistics log lines (hits, misses and hit ratio per tier and
    # namespace); 0 = never.
    memory_stats_log_seconds: float = 300.0
    # Narrator (optional prose summaries of agents' answers): the OpenAI-compatible endpoint's base
    # URL, e.g. "https://api.example/v1" (POST {url}/chat/completions) or, with
    # narrator_api_style=azure, "https://NAME.openai.azure.com"; empty = no narrator (the default).
    narrator_url: str = ""
    # Narrator endpoint style: "openai" (model in the body, Bearer API key) or "azure"
    # (/openai/deployments/{model}/chat/completions?api-version=..., api-key header or Entra ID).
    narrator_api_style: str = "openai"
    # Azure OpenAI api-version query parameter, for narrator_api_style=azure.
    narrator_api_version: str = "2024-10-21"
    # Narrator model name (the Azure deployment name with narrator_api_style=azure); required when
    # narrator_url is set.
    narrator_model: str = ""
    # Narrator API key; never logged. Empty with narrator_azure_identity=false sends no credential.
    narrator_api_key: str = ""
    # Authenticate to Azure OpenAI with azure-identity's DefaultAzureCredential (managed identity,
    # workload identity, az login ...) instead of an API key.
    narrator_azure_identity: bool = False
    # The most a narration may take, milliseconds (token, connection and answer included); later
    # prose is dropped and the answer goes out without it.
    narrator_deadline_ms: int = 1500
    # Longest prose kept, characters; longer prose is dropped, not cut.
    narrator_max_chars: int = 600
    # Accepted `aud` claim of bearer tokens.
    jwt_audience: str = DEFAULT_AUDIENCE
    # Clock skew tolerated on exp/nbf/iat, seconds.
    jwt_leeway_seconds: int = 60
    # Trust tokens from the local dev issuer (keys under data_dir); turn off in production.
    dev_issuer_enabled: bool = True
    # Directory of the dev issuer's signing key and published public keys; hosts of one cluster that
    # share it (one machine, or a shared volume) accept each other's `hph token` tokens. Empty = the
    # data dir's own (`<data dir>/auth`).
    dev_issuer_key_dir: str = ""
    # Lifetime of tokens minted by `hph token` (and the storefront's dev sign-in), seconds.
    dev_token_ttl_seconds: int = 3600
    # Directory of the storefront's build the gateway serves at `/`; empty = the checkout's
    # `web/dist` (`vite build`, run by .ci/setup).
    web_dir: str = ""
    # Entra ID tenant id; setting it trusts Entra-issued tokens for that tenant.
    entra_tenant_id: str = ""
    # Entra ID application (client) id; accepted as an audience beside jwt_audience.
    entra_client_id: str = ""
    # OpenID metadata URL; defaults to the tenant's v2.0 well-known document.
    entra_metadata_url: str = ""
    # Minimum seconds between two JWKS refetches triggered by unknown key ids.
    jwks_min_refresh_seconds: float = 30.0
    # Currency for prices created without one.
    default_currency: str = "USD"
    # Seed demo data when the store is empty (`hph up`).
    seed_demo_data: bool = True
    # Add the demo's messy products (bad casing and units, a wrong category, price outliers, near
    # duplicates, a missing description, a malformed image URL; hph.commerce.demo_messy, whose
    # data file is the ground truth) when seeding (`hph up`'s first start; `hph seed --messy`).
    seed_messy_products: bool = False
    # Days of demo order history `hph up` generates on its first start (an empty store), placed
    # through the real services; 0 for none (`hph seed --history DAYS` generates it on demand).
    seed_history_days: int = 0
    # Seconds the server waits for in-flight calls on SIGTERM before cancelling them.
    shutdown_grace_seconds: float = 10.0
    # Log level name (DEBUG, INFO, WARNING, ERROR).
    log_level: str = "INFO"
    # Log format: "json" (structured) or "text".
    log_format: str = "json"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Builds settings from HPH_<FIELD> variables, then applies explicit overrides (CLI flags)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"HPH_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _parse(f.name, raw, type(getattr(defaults, f.name)))
        given = {k: v for k, v in overrides.items() if v is not None}
        # A profile fills in what neither the environment nor a flag set.
        for name, value in profile_defaults(given.get("profile", values.get("profile", ""))).items():
            values.setdefault(name, value)
        settings = cls(**values)
        return replace(settings, **given) if given else settings

    @property
    def cors_origins(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.cors_allowed_origins.split(",") if o.strip())

    @property
    def entra_enabled(self) -> bool:
        return bool(self.entra_tenant_id)

    @property
    def resolved_entra_metadata_url(self) -> str:
        if self.entra_metadata_url:
            return self.entra_metadata_url
        return f"https://login.microsoftonline.com/{self.entra_tenant_id}/v2.0/.well-known/openid-configuration"


def _parse(name: str, raw: str, kind: type[Any]) -> Any:
    try:
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is Path or issubclass(kind, Path):
            return Path(raw)
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"HPH_{name.upper()}={raw!r} is not a valid {kind.__name__}") from exc


ENV_DOC: dict[str, str] = {f.name: f"HPH_{f.name.upper()}" for f in fields(Settings)}
