"""Generates the Envoy bootstrap that serves the REST surface in production (`hph envoy-config`).

Envoy's `grpc_json_transcoder` does there what `hph.gateway.server` does locally, from the same
descriptor set and the same `google.api.http` rules, configured the same way (transcoding.md):
`convert_grpc_status`, strict request validation, proto field names out. Around it: CORS, local rate
limits per client IP and per bearer credential, a JSON access log, and one HTTP/2 cluster per service
with gRPC health checks, circuit breakers, outlier detection, timeouts and retries on reads.

`build_bootstrap` is pure (descriptors + options -> dict); `main` is the CLI that reads settings and
writes YAML. The output is validated against Envoy's API schema in tests/gateway/test_envoy_config.py.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import descriptor

from hph.gateway.binding import QUERY_PARAM_UNESCAPE_PLUS
from hph.gateway.codec import GRPC_CODE_FOR_HTTP
from hph.gateway.descriptors import (
    PLATFORM_DESCRIPTOR_SET,
    DescriptorSet,
    HttpBinding,
    load_descriptor_set,
    service_bindings,
)
from hph.runtime.settings import Settings

Json = dict[str, Any]

DEFAULT_DESCRIPTOR_IN_ENVOY = "/etc/envoy/holidaypeak.binpb"
DEFAULT_UPSTREAM = ("127.0.0.1", 50051)
DEFAULT_LISTEN_PORT = 8080
ADMIN_ADDRESS = ("127.0.0.1", 9901)

_TYPE = "type.googleapis.com/"
_HCM = _TYPE + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
_TRANSCODER = _TYPE + "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder"
_CORS = _TYPE + "envoy.extensions.filters.http.cors.v3.Cors"
_CORS_POLICY = _TYPE + "envoy.extensions.filters.http.cors.v3.CorsPolicy"
_LOCAL_RATELIMIT = _TYPE + "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
_ROUTER = _TYPE + "envoy.extensions.filters.http.router.v3.Router"
_STDOUT_LOG = _TYPE + "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"
_HTTP_OPTIONS = _TYPE + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
_PREVIOUS_HOSTS = _TYPE + "envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"

# Browser-visible contract of the REST surface (rest-surface.md): what a storefront may send and read.
_CORS_ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
_CORS_ALLOW_HEADERS = "authorization, content-type, idempotency-key, x-request-id"
_CORS_EXPOSE_HEADERS = "x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset"

# Local replies of the REST surface (transcoder errors, unknown paths, rate limits, oversized bodies)
# get the same {"code", "message"} body as upstream errors; the code is the gRPC code of that status.
_LOCAL_REPLY_STATUSES = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.TOO_MANY_REQUESTS,
)


@dataclass(frozen=True)
class RateLimits:
    """Requests per minute, enforced per Envoy process (local rate limit, no external service)."""

    per_ip_per_minute: int = 600
    per_user_per_minute: int = 100
    # A ceiling for the whole process, so a flood of distinct clients cannot starve the upstreams.
    per_instance_per_minute: int = 60_000
    # How many distinct clients (per key) keep their own bucket; the least recently seen are evicted.
    tracked_clients: int = 10_000


@dataclass(frozen=True)
class RoutedService:
    """A service exposed at the edge: it has at least one HTTP rule."""

    name: str  # full name, also the cluster name and the health-check service name
    methods: tuple[descriptor.MethodDescriptor, ...]
    bindings: tuple[HttpBinding, ...]

    @property
    def prefix(self) -> str:
        return f"/{self.name}/"

    def has_rule(self, method: descriptor.MethodDescriptor) -> bool:
        return any(b.method.full_name == method.full_name for b in self.bindings)

    def is_read(self, method: descriptor.MethodDescriptor) -> bool:
        """Safe to retry: some binding is GET, and HTTP promises a GET has no side effects."""
        return any(b.http_method == "GET" for b in self.bindings if b.method.full_name == method.full_name)


def routed_services(descriptors: DescriptorSet) -> list[RoutedService]:
    """Services with HTTP rules, sorted by full name; services without rules stay internal."""
    bindings = service_bindings(descriptors)
    routed = []
    for service in descriptors.services():
        own = tuple(b for b in bindings if b.service == service.full_name)
        if own:
            routed.append(RoutedService(service.full_name, tuple(service.methods), own))
    return sorted(routed, key=lambda s: s.name)


def build_bootstrap(
    descriptors: DescriptorSet,
    *,
    descriptor_path_in_envoy: str = DEFAULT_DESCRIPTOR_IN_ENVOY,
    upstreams: Mapping[str, tuple[str, int]],
    listen_port: int = DEFAULT_LISTEN_PORT,
    cors_origins: Sequence[str] = (),
    cors_allow_credentials: bool = False,
    rate_limits: RateLimits = RateLimits(),
    upstream_timeout_seconds: float = 15.0,
    max_request_body_bytes: int = 1_048_576,
    xff_num_trusted_hops: int = 0,
    emit_defaults: bool = True,
) -> Json:
    """The complete Envoy v3 bootstrap; `upstreams` maps every routed service's full name to (host, port)."""
    services = routed_services(descriptors)
    missing = [s.name for s in services if s.name not in upstreams]
    if missing:
        raise ValueError(f"no upstream address for {', '.join(missing)}")
    if upstream_timeout_seconds <= 0:
        raise ValueError("upstream_timeout_seconds must be positive")
    hcm = _http_connection_manager(
        services,
        descriptor_path_in_envoy=descriptor_path_in_envoy,
        cors_origins=cors_origins,
        cors_allow_credentials=cors_allow_credentials,
        rate_limits=rate_limits,
        timeout=upstream_timeout_seconds,
        max_request_body_bytes=max_request_body_bytes,
        xff_num_trusted_hops=xff_num_trusted_hops,
        emit_defaults=emit_defaults,
    )
    return {
        "node": {"id": "holidaypeak-edge", "cluster": "holidaypeak-edge"},
        "admin": {"address": _socket_address(*ADMIN_ADDRESS)},
        "static_resources": {
            "listeners": [
                {
                    "name": "rest",
                    "address": _socket_address("0.0.0.0", listen_port),
                    "filter_chains": [
                        {
                            "filters": [
                                {
                                    "name": "envoy.filters.network.http_connection_manager",
                                    "typed_config": {"@type": _HCM, **hcm},
                                }
                            ]
                        }
                    ],
                }
            ],
            "clusters": [_cluster(s.name, *upstreams[s.name]) for s in services],
        },
        # Envoy's edge best practice: bound downstream connections so overload degrades, not crashes.
        "layered_runtime": {
            "layers": [
                {"name": "static_layer_0", "static_layer": {"overload": {"global_downstream_max_connections": 50000}}}
            ]
        },
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared sub-dicts out in full instead of as &id001 anchors, so the file reads plainly."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_yaml(bootstrap: Json) -> str:
    """Deterministic YAML: insertion order kept (the builder's order is fixed), no line wrapping."""
    header = "# Envoy bootstrap for Holiday Peak Hub, generated by `hph envoy-config`; do not edit.\n"
    body = yaml.dump(bootstrap, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False, width=1_000_000)
    return header + body


def _http_connection_manager(
    services: Sequence[RoutedService],
    *,
    descriptor_path_in_envoy: str,
    cors_origins: Sequence[str],
    cors_allow_credentials: bool,
    rate_limits: RateLimits,
    timeout: float,
    max_request_body_bytes: int,
    xff_num_trusted_hops: int,
    emit_defaults: bool,
) -> Json:
    virtual_host: Json = {"name": "holidaypeak", "domains": ["*"], "routes": _routes(services, timeout)}
    if cors_origins:
        virtual_host["typed_per_filter_config"] = {
            "envoy.filters.http.cors": _cors_policy(cors_origins, cors_allow_credentials)
        }
    return {
        "codec_type": "AUTO",
        "stat_prefix": "rest",
        "route_config": {"name": "holidaypeak", "virtual_hosts": [virtual_host]},
        "http_filters": [
            # CORS first: preflights are answered before anything can reject them, and rejections
            # further down (429, 404, 400) still carry the CORS headers a browser needs to read them.
            {"name": "envoy.filters.http.cors", "typed_config": {"@type": _CORS}},
            # Rate limits before transcoding, so rejected requests cost no body buffering or parsing.
            {"name": "envoy.filters.http.local_ratelimit", "typed_config": _local_rate_limit(rate_limits)},
            {
                "name": "envoy.filters.http.grpc_json_transcoder",
                "typed_config": _transcoder(services, descriptor_path_in_envoy, max_request_body_bytes, emit_defaults),
            },
            {"name": "envoy.filters.http.router", "typed_config": {"@type": _ROUTER}},
        ],
        "access_log": [_access_log()],
        "use_remote_address": True,
        "xff_num_trusted_hops": xff_num_trusted_hops,
        # x-request-id: the client's is echoed (as the local gateway does), otherwise one is generated.
        "generate_request_id": True,
        "preserve_external_request_id": True,
        "always_set_request_id_in_response": True,
        "normalize_path": True,
        # Multi-segment path variables keep %2F (transcoding.md), so escaped slashes stay as sent.
        "path_with_escaped_slashes_action": "KEEP_UNCHANGED",
        "stream_idle_timeout": "300s",
        "request_headers_timeout": "10s",
        "common_http_protocol_options": {"idle_timeout": "3600s"},
        "http2_protocol_options": {
            "max_concurrent_streams": 100,
            "initial_stream_window_size": 65536,
            "initial_connection_window_size": 1048576,
        },
        "local_reply_config": _local_reply_config(),
    }


def _transcoder(
    services: Sequence[RoutedService], descriptor_path: str, max_request_body_bytes: int, emit_defaults: bool
) -> Json:
    return {
        "@type": _TRANSCODER,
        "proto_descriptor": descriptor_path,
        "services": [s.name for s in services],
        "print_options": {
            "add_whitespace": False,
            # Same as the local gateway's HPH_JSON_EMIT_DEFAULTS: the storefront reads keys such as
            # `valid` and `in_stock` even when they are false.
            "always_print_primitive_fields": emit_defaults,
            "always_print_enums_as_ints": False,
            "preserve_proto_field_names": True,
        },
        # Routes match the gRPC path the transcoder rewrites to (Envoy docs, "Route configs for
        # transcoded requests"), so the same routes serve native gRPC callers too.
        "match_incoming_request_route": False,
        "auto_mapping": False,
        "convert_grpc_status": True,
        "request_validation_options": {
            "reject_unknown_method": True,
            "reject_unknown_query_parameters": True,
            "reject_binding_body_field_collisions": True,
        },
        "max_request_body_size": max_request_body_bytes,
        # Same path-variable decoding as the local gateway (transcoding.md): single-segment values
        # fully decoded, multi-segment values keep %2F.
        "url_unescape_spec": "ALL_CHARACTERS_EXCEPT_SLASH",
        # A "+" in a query value is a space, as browsers send it (`?search=dutch+oven`); a literal
        # plus arrives as %2B. Envoy keeps "+" literal unless this is set; the local gateway reads
        # the same constant.
        "query_param_unescape_plus": QUERY_PARAM_UNESCAPE_PLUS,
    }


def _routes(services: Sequence[RoutedService], timeout: float) -> list[Json]:
    """First match wins: blocked internal RPCs, then reads (retried) and streams, then each service.

    Retries go on exact-path routes of read RPCs rather than on a match of the
    `x-envoy-original-method: GET` header. After transcoding every request is a POST to
    `/pkg.Service/Method`, so the HTTP method cannot be matched; the header the transcoder adds
    exists only on transcoded requests and a native gRPC caller can send it itself, so it would let a
    client ask for retries of a write. Whether a call is safe to repeat is a property of the RPC
    (a GET binding declares it), and the gRPC path names the RPC for REST and gRPC callers alike.
    """
    routes: list[Json] = []
    for service in services:
        for method in service.methods:
            path = f"/{service.name}/{method.name}"
            if not service.has_rule(method):
                # RPCs without an HTTP rule are service-to-service only: not reachable from outside,
                # not even as native gRPC through this listener.
                routes.append(
                    {
                        "name": f"{service.name}.{method.name}:internal",
                        "match": {"path": path},
                        "direct_response": {
                            "status": HTTPStatus.NOT_FOUND.value,
                            "body": {"inline_string": "not found"},
                        },
                    }
                )
            elif service.is_read(method) or method.server_streaming or method.client_streaming:
                routes.append(
                    {
                        "name": f"{service.name}.{method.name}",
                        "match": {"path": path},
                        "route": _route_action(service.name, method, timeout, retry=service.is_read(method)),
                    }
                )
        routes.append(
            {
                "name": service.name,
                "match": {"prefix": service.prefix},
                "route": _route_action(service.name, None, timeout, retry=False),
            }
        )
    # Requests the transcoder did not rewrite (it answers unknown REST paths itself) end here. The
    # route also gives CORS preflights for REST paths a route, hence the virtual host's CORS policy.
    routes.append(
        {
            "name": "not-found",
            "match": {"prefix": "/"},
            "direct_response": {"status": HTTPStatus.NOT_FOUND.value, "body": {"inline_string": "not found"}},
        }
    )
    return routes


def _route_action(cluster: str, method: descriptor.MethodDescriptor | None, timeout: float, *, retry: bool) -> Json:
    streaming = method is not None and (method.server_streaming or method.client_streaming)
    action: Json = {
        "cluster": cluster,
        # Streams live as long as they produce; idleness is bounded by stream_idle_timeout instead.
        "timeout": _duration(0 if streaming else timeout),
        # A gRPC caller's own grpc-timeout is honoured, up to the route's (0s = uncapped for streams).
        "max_stream_duration": {"grpc_timeout_header_max": _duration(0 if streaming else timeout)},
    }
    if retry:
        policy: Json = {"retry_on": "unavailable,reset,connect-failure", "num_retries": 2}
        if not streaming:
            # Three tries fit in the route's deadline.
            policy["per_try_timeout"] = _duration(timeout / 3)
        action["retry_policy"] = policy | {
            "retry_back_off": {"base_interval": "0.025s", "max_interval": "0.250s"},
            # Retry on another endpoint when there is one: the one that failed is likely still failing.
            "retry_host_predicate": [
                {"name": "envoy.retry_host_predicates.previous_hosts", "typed_config": {"@type": _PREVIOUS_HOSTS}}
            ],
            "host_selection_retry_max_attempts": 3,
        }
    return action


def _cors_policy(origins: Sequence[str], allow_credentials: bool) -> Json:
    wildcard = "*" in origins
    policy: Json = {
        "@type": _CORS_POLICY,
        # Exact matches only; Envoy treats an exact "*" as "any origin".
        "allow_origin_string_match": [{"exact": origin} for origin in dict.fromkeys(origins)],
        "allow_methods": _CORS_ALLOW_METHODS,
        "allow_headers": _CORS_ALLOW_HEADERS,
        "expose_headers": _CORS_EXPOSE_HEADERS,
        "max_age": "600",
    }
    if allow_credentials and not wildcard:
        # Credentials with a wildcard origin would let any site act with the user's cookies.
        policy["allow_credentials"] = True
    return policy


def _local_rate_limit(limits: RateLimits) -> Json:
    """Token buckets per client IP and per bearer credential, plus one for the whole process.

    Envoy verifies no JWT here (the services do), so "per user" is per Authorization header value:
    a client rotating tokens gets fresh buckets but stays under its per-IP bucket.
    """
    always = {"runtime_key": "local_rate_limit", "default_value": {"numerator": 100, "denominator": "HUNDRED"}}
    return {
        "@type": _LOCAL_RATELIMIT,
        "stat_prefix": "rest_rate_limit",
        "token_bucket": _per_minute(limits.per_instance_per_minute),
        "filter_enabled": always,
        "filter_enforced": always,
        # Descriptors with a key and no value are wildcards: one bucket per distinct value seen.
        "descriptors": [
            {"entries": [{"key": "remote_address"}], "token_bucket": _per_minute(limits.per_ip_per_minute)},
            {"entries": [{"key": "bearer"}], "token_bucket": _per_minute(limits.per_user_per_minute)},
        ],
        "rate_limits": [
            {"actions": [{"remote_address": {}}]},
            {
                "actions": [
                    {
                        "request_headers": {
                            "header_name": "authorization",
                            "descriptor_key": "bearer",
                            "skip_if_absent": True,
                        }
                    }
                ]
            },
        ],
        "max_dynamic_descriptors": limits.tracked_clients,
        "local_rate_limit_per_downstream_connection": False,
        "enable_x_ratelimit_headers": "DRAFT_VERSION_03",
        "rate_limited_as_resource_exhausted": True,
        "response_headers_to_add": [
            {"header": {"key": "retry-after", "value": "60"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
        ],
    }


def _per_minute(requests: int) -> Json:
    if requests <= 0:
        raise ValueError(f"rate limits must be positive, got {requests}")
    # Descriptor buckets must refill at a multiple of the process bucket's interval: all use 60s.
    return {"max_tokens": requests, "tokens_per_fill": requests, "fill_interval": "60s"}


def _access_log() -> Json:
    json_format = {
        "time": "%START_TIME%",
        "request_id": "%REQ(X-REQUEST-ID)%",
        "method": "%REQ(X-ENVOY-ORIGINAL-METHOD?:METHOD)%",
        "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
        "rpc": "%REQ(:PATH)%",
        "status": "%RESPONSE_CODE%",
        "grpc_status": "%GRPC_STATUS_NUMBER%",
        "duration_ms": "%DURATION%",
        "bytes_received": "%BYTES_RECEIVED%",
        "bytes_sent": "%BYTES_SENT%",
        "upstream": "%UPSTREAM_HOST%",
        "flags": "%RESPONSE_FLAGS%",
        "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
    }
    return {
        "name": "envoy.access_loggers.stdout",
        "typed_config": {"@type": _STDOUT_LOG, "log_format": {"json_format": json_format}},
    }


def _local_reply_config() -> Json:
    not_grpc = {
        "header_filter": {
            "header": {"name": "content-type", "string_match": {"prefix": "application/grpc"}, "invert_match": True}
        }
    }
    mappers = []
    for named in _LOCAL_REPLY_STATUSES:
        status, code = named.value, GRPC_CODE_FOR_HTTP[named]
        comparison = {"op": "EQ", "value": {"default_value": status, "runtime_key": f"local_reply.status_{status}"}}
        mappers.append(
            {
                # gRPC callers keep Envoy's own grpc-status replies; only REST callers get JSON.
                "filter": {"and_filter": {"filters": [{"status_code_filter": {"comparison": comparison}}, not_grpc]}},
                "body_format_override": {"json_format": {"code": code, "message": "%LOCAL_REPLY_BODY%"}},
            }
        )
    return {"mappers": mappers}


def _cluster(name: str, host: str, port: int) -> Json:
    cluster: Json = {
        "name": name,
        "type": "STATIC" if _is_ip(host) else "STRICT_DNS",
        "connect_timeout": "1s",
        "lb_policy": "ROUND_ROBIN",
    }
    if not _is_ip(host):
        cluster["dns_lookup_family"] = "V4_PREFERRED"
    cluster |= {
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{"lb_endpoints": [{"endpoint": {"address": _socket_address(host, port)}}]}],
        },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": _HTTP_OPTIONS,
                "explicit_http_config": {
                    "http2_protocol_options": {"connection_keepalive": {"interval": "30s", "timeout": "5s"}}
                },
            }
        },
        "health_checks": [
            {
                "timeout": "1s",
                "interval": "5s",
                "interval_jitter": "1s",
                "unhealthy_threshold": 3,
                "healthy_threshold": 1,
                # The server reports each service's status under its full name (grpc.health.v1).
                "grpc_health_check": {"service_name": name},
            }
        ],
        "circuit_breakers": {
            "thresholds": [
                {
                    "priority": "DEFAULT",
                    "max_connections": 1024,
                    "max_pending_requests": 1024,
                    "max_requests": 4096,
                    # Retries may add at most 20% load on top of the requests in flight.
                    "retry_budget": {"budget_percent": {"value": 20.0}, "min_retry_concurrency": 10},
                }
            ]
        },
        # The router maps grpc-status to HTTP codes for outlier detection: UNAVAILABLE counts as 503.
        "outlier_detection": {
            "consecutive_5xx": 5,
            "consecutive_gateway_failure": 3,
            "enforcing_consecutive_gateway_failure": 100,
            "interval": "10s",
            "base_ejection_time": "30s",
            "max_ejection_percent": 50,
        },
    }
    return cluster


def _socket_address(host: str, port: int) -> Json:
    return {"socket_address": {"address": host, "port_value": port}}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _duration(seconds: float) -> str:
    """Protobuf JSON duration at millisecond precision: "15s", "0.250s"."""
    millis = Decimal(str(seconds)).quantize(Decimal("0.001"))
    return f"{int(millis)}s" if millis == millis.to_integral_value() else f"{millis}s"


def _parse_upstream(text: str) -> tuple[str, str, int]:
    name, sep, address = text.partition("=")
    host, colon, port = address.rpartition(":")
    if not sep or not name or not colon or not host or not port.isdigit():
        raise ValueError(f"--upstream {text!r} is not SERVICE=HOST:PORT")
    return name, host.strip("[]"), int(port)


def resolve_upstreams(
    services: Iterable[RoutedService], default: tuple[str, int], overrides: Iterable[str]
) -> dict[str, tuple[str, int]]:
    """Every service at `default` unless an override names it (full name or simple name)."""
    names = [s.name for s in services]
    upstreams = dict.fromkeys(names, default)
    for text in overrides:
        name, host, port = _parse_upstream(text)
        matches = [n for n in names if name in (n, n.rsplit(".", 1)[-1])]
        if not matches:
            raise ValueError(f"--upstream names unknown service {name!r}; known: {', '.join(names)}")
        for match in matches:
            upstreams[match] = (host, port)
    return upstreams


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hph envoy-config",
        description="Write the Envoy bootstrap (grpc_json_transcoder edge) as YAML. CORS origins, rate "
        "limits, body limit and upstream timeout come from HPH_* settings.",
    )
    parser.add_argument("--output", type=Path, help="file to write (default: stdout)")
    parser.add_argument("--descriptor", type=Path, default=PLATFORM_DESCRIPTOR_SET, help="descriptor set to read")
    parser.add_argument(
        "--descriptor-in-envoy",
        default=DEFAULT_DESCRIPTOR_IN_ENVOY,
        help=f"where Envoy finds the same descriptor set (default {DEFAULT_DESCRIPTOR_IN_ENVOY})",
    )
    parser.add_argument("--upstream-host", default=DEFAULT_UPSTREAM[0], help="gRPC host of every service")
    parser.add_argument("--upstream-port", type=int, default=DEFAULT_UPSTREAM[1], help="gRPC port of every service")
    parser.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="SERVICE=HOST:PORT",
        help="per-service address (full or simple service name), repeatable",
    )
    parser.add_argument("--listen-port", type=int, default=DEFAULT_LISTEN_PORT, help="REST listener port")
    parser.add_argument(
        "--xff-trusted-hops", type=int, default=0, help="proxies in front of Envoy whose X-Forwarded-For is trusted"
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        descriptors = load_descriptor_set(args.descriptor)
        upstreams = resolve_upstreams(
            routed_services(descriptors), (args.upstream_host, args.upstream_port), args.upstream
        )
        bootstrap = build_bootstrap(
            descriptors,
            descriptor_path_in_envoy=args.descriptor_in_envoy,
            upstreams=upstreams,
            listen_port=args.listen_port,
            cors_origins=settings.cors_origins,
            cors_allow_credentials=settings.cors_allow_credentials,
            rate_limits=RateLimits(
                per_ip_per_minute=settings.rate_limit_per_ip_per_minute,
                per_user_per_minute=settings.rate_limit_per_user_per_minute,
            ),
            upstream_timeout_seconds=settings.gateway_upstream_timeout_seconds,
            max_request_body_bytes=settings.max_request_body_bytes,
            emit_defaults=settings.json_emit_defaults,
            xff_num_trusted_hops=args.xff_trusted_hops,
        )
    except (OSError, ValueError) as exc:
        print(f"hph envoy-config: {exc}", file=sys.stderr)
        return 2
    text = render_yaml(bootstrap)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
