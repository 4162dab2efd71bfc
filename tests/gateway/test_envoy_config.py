"""The generated Envoy bootstrap: valid against Envoy's v3 API schema, and routing every HTTP rule.

Schema validation uses `envoy-data-plane` (Envoy's API as betterproto2 dataclasses). Its `from_dict`
rejects unknown fields, unknown enum names, unregistered `@type`s and two members of one oneof, but
coerces some wrong types (a bool field accepts "yes"), so `validate_envoy` also round-trips the
message and fails on any value that did not come back as written. Envoy's protoc-gen-validate rules
(required fields, ranges) are not in those dataclasses and are not checked here.
"""

from __future__ import annotations

import copy
import importlib
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import betterproto2
import pytest
import yaml
from betterproto2 import casing

from hph.gateway import envoy
from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.host.app import AGENTS

Json = dict[str, Any]
TYPE_URL_PREFIX = "type.googleapis.com/"
TRANSCODER = "envoy.filters.http.grpc_json_transcoder"
RETRY_ON = "unavailable,reset,connect-failure"


class EnvoySchemaError(AssertionError):
    """The configuration is not a valid Envoy v3 message."""


# ---------------------------------------------------------------- schema validation (envoy-data-plane)


def envoy_message(package: str, name: str) -> type[betterproto2.Message]:
    """A dataclass of envoy-data-plane; importing its module registers it where `Any` looks types up."""
    with warnings.catch_warnings():
        # Its generated dataclasses use a pydantic idiom that pydantic 2.12+ deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = getattr(importlib.import_module(f"envoy_data_plane.{package}"), name)
    if not (isinstance(cls, type) and issubclass(cls, betterproto2.Message)):
        raise EnvoySchemaError(f"{package}.{name} is not a message")
    return cls


def message_class(type_url: str) -> type[betterproto2.Message]:
    """The dataclass of an `@type`."""
    package, _, name = type_url.removeprefix(TYPE_URL_PREFIX).rpartition(".")
    if not type_url.startswith(TYPE_URL_PREFIX) or not package:
        raise EnvoySchemaError(f"malformed type URL {type_url!r}")
    try:
        return envoy_message(package, name)
    except (ImportError, AttributeError):
        raise EnvoySchemaError(f"unknown type {type_url!r}") from None


def typed_configs(value: Any, path: str = "") -> Iterator[tuple[str, Json]]:
    """Every Any payload (a mapping with "@type") in the configuration, with where it sits."""
    if isinstance(value, Mapping):
        if "@type" in value:
            yield path, dict(value)
        for key, item in value.items():
            yield from typed_configs(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from typed_configs(item, f"{path}[{index}]")


@contextmanager
def _exact_field_names() -> Iterator[None]:
    """betterproto2 re-snake-cases JSON keys ("consecutive_5xx" -> "consecutive_5_xx", no such field);
    keys already in proto snake_case are used as they are, as protobuf's own JSON parser does."""

    def field_name(key: str) -> str:
        return casing.sanitize_name(key) if re.fullmatch(r"[a-z][a-z0-9_]*", key) else casing.safe_snake_case(key)

    with patch("betterproto2.safe_snake_case", field_name):
        yield


def _same(written: Any, parsed: Any, path: str) -> None:
    """Fails unless every value written survives parsing unchanged (no drop, no coercion)."""
    if isinstance(written, Mapping):
        if not isinstance(parsed, Mapping):
            raise EnvoySchemaError(f"{path}: a message was written, {type(parsed).__name__} parsed")
        for key, item in written.items():
            if key not in parsed:
                raise EnvoySchemaError(f"{path}/{key}: dropped by the parser")
            _same(item, parsed[key], f"{path}/{key}")
    elif isinstance(written, list):
        if not isinstance(parsed, list) or len(parsed) != len(written):
            raise EnvoySchemaError(f"{path}: list changed shape when parsed")
        for index, (item, back) in enumerate(zip(written, parsed, strict=True)):
            _same(item, back, f"{path}[{index}]")
    elif isinstance(written, bool) or isinstance(parsed, bool):
        if type(written) is not type(parsed) or written != parsed:
            raise EnvoySchemaError(f"{path}: {written!r} is not a bool")
    elif isinstance(written, int) and isinstance(parsed, str):
        # 64-bit integers print as strings in proto JSON; numbers are valid input for them.
        if str(written) != parsed:
            raise EnvoySchemaError(f"{path}: {written!r} parsed as {parsed!r}")
    elif isinstance(written, int | float) and isinstance(parsed, int | float):
        if written != parsed:
            raise EnvoySchemaError(f"{path}: {written!r} parsed as {parsed!r}")
    elif type(written) is not type(parsed) or written != parsed:
        raise EnvoySchemaError(f"{path}: {written!r} parsed as {parsed!r}")


def validate_envoy(config: Mapping[str, Any], message: type[betterproto2.Message] | None = None) -> None:
    """Raises EnvoySchemaError unless `config` is a valid `message` (default: the Bootstrap), typed_config
    payloads included."""
    message = message or envoy_message("envoy.config.bootstrap.v3", "Bootstrap")
    payloads = [(path, message_class(payload.pop("@type")), payload) for path, payload in typed_configs(config)]
    # Each payload alone, so an error names its type; then the whole, Any fields resolved through
    # the classes just imported.
    for path, payload_class, payload in payloads:
        _validate_one(payload, payload_class, path or "/")
    _validate_one(config, message, "")


def _validate_one(config: Mapping[str, Any], message: type[betterproto2.Message], path: str) -> None:
    with _exact_field_names():
        try:
            parsed = message.from_dict(config)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:  # pydantic errors are ValueErrors
            raise EnvoySchemaError(f"{path or '/'}: not a valid {message.__name__}: {exc}") from exc
    echoed = parsed.to_dict(casing=lambda name: name, include_default_values=True)  # type: ignore[arg-type]
    _same(config, echoed, path)


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def platform() -> DescriptorSet:
    return load_descriptor_set()


def bootstrap_for(descriptors: DescriptorSet, **options: Any) -> Json:
    upstreams = {s.name: ("127.0.0.1", 50051) for s in envoy.routed_services(descriptors)}
    return envoy.build_bootstrap(
        descriptors, descriptor_path_in_envoy="/etc/envoy/holidaypeak.binpb", upstreams=upstreams, **options
    )


def hcm(bootstrap: Json) -> Json:
    config: Json = bootstrap["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    return config


def http_filter(bootstrap: Json, name: str) -> Json:
    config: Json = next(f["typed_config"] for f in hcm(bootstrap)["http_filters"] if f["name"] == name)
    return config


def routes(bootstrap: Json) -> list[Json]:
    found: list[Json] = hcm(bootstrap)["route_config"]["virtual_hosts"][0]["routes"]
    return found


def first_route(bootstrap: Json, path: str) -> Json:
    """The route Envoy picks for a request path: the first whose path or prefix matches."""
    for route in routes(bootstrap):
        match = route["match"]
        if match.get("path") == path or ("prefix" in match and path.startswith(match["prefix"])):
            return route
    raise AssertionError(f"no route for {path}")


def clusters(bootstrap: Json) -> dict[str, Json]:
    return {c["name"]: c for c in bootstrap["static_resources"]["clusters"]}


# ---------------------------------------------------------------- the validator itself can fail


def test_the_validator_accepts_a_minimal_bootstrap() -> None:
    validate_envoy({"admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 9901}}}})


@pytest.mark.parametrize(
    ("where", "breakage"),
    [
        ("unknown field in a cluster", lambda b: b["static_resources"]["clusters"][0].update(retries=3)),
        ("unknown field in the transcoder", lambda b: http_filter(b, TRANSCODER).update(strict=True)),
        (
            "unknown field in health checks",
            lambda b: b["static_resources"]["clusters"][0]["health_checks"][0].update(path="/"),
        ),
        ("string where a bool goes", lambda b: http_filter(b, TRANSCODER).update(convert_grpc_status="yes")),
        ("number where a bool goes", lambda b: hcm(b).update(use_remote_address=1)),
        ("text where a port goes", lambda b: b["admin"]["address"]["socket_address"].update(port_value="admin")),
        (
            "fraction where an int goes",
            lambda b: b["static_resources"]["clusters"][0]["outlier_detection"].update(consecutive_5xx=2.5),
        ),
        ("number where a string goes", lambda b: http_filter(b, TRANSCODER).update(proto_descriptor=7)),
        ("list where a message goes", lambda b: hcm(b).update(route_config=[])),
        ("unknown enum name", lambda b: b["static_resources"]["clusters"][0].update(lb_policy="FASTEST")),
        ("bad duration", lambda b: b["static_resources"]["clusters"][0].update(connect_timeout="soon")),
        (
            "unknown @type",
            lambda b: hcm(b)["http_filters"][0]["typed_config"].update({"@type": TYPE_URL_PREFIX + "envoy.Nope"}),
        ),
        ("two members of a oneof", lambda b: routes(b)[0].update(direct_response={"status": 404})),
    ],
)
def test_the_validator_rejects_a_broken_bootstrap(
    platform: DescriptorSet, where: str, breakage: Callable[[Json], None]
) -> None:
    broken = bootstrap_for(platform)
    breakage(broken)
    with pytest.raises(EnvoySchemaError):
        validate_envoy(broken)


def test_the_validator_insists_on_proto_field_names(platform: DescriptorSet) -> None:
    # Envoy would accept the JSON name too; the generator writes proto names only, and this keeps it so.
    config = bootstrap_for(platform)
    hcm(config).update(useRemoteAddress=True)
    with pytest.raises(EnvoySchemaError, match="useRemoteAddress"):
        validate_envoy(config)


# ---------------------------------------------------------------- the generated configuration


def test_the_generated_bootstrap_is_a_valid_envoy_configuration(platform: DescriptorSet) -> None:
    validate_envoy(bootstrap_for(platform, cors_origins=("https://shop.example",), cors_allow_credentials=True))


def test_the_bookstore_bootstrap_is_valid_too(bookstore: Any) -> None:
    validate_envoy(bootstrap_for(load_descriptor_set(bookstore.descriptor_set), cors_origins=("*",)))


def test_every_typed_config_is_a_known_envoy_message(platform: DescriptorSet) -> None:
    found = {payload["@type"] for _, payload in typed_configs(bootstrap_for(platform, cors_origins=("*",)))}
    assert found >= {
        TYPE_URL_PREFIX + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        TYPE_URL_PREFIX + "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
        TYPE_URL_PREFIX + "envoy.extensions.filters.http.cors.v3.CorsPolicy",
        TYPE_URL_PREFIX + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
    }
    for type_url in found:
        message_class(type_url)


def test_the_transcoder_lists_every_service_with_http_rules(platform: DescriptorSet) -> None:
    with_rules = {b.service for b in service_bindings(platform)}
    assert len(with_rules) >= 10
    transcoder = http_filter(bootstrap_for(platform), TRANSCODER)
    assert transcoder["services"] == sorted(with_rules)
    assert transcoder["proto_descriptor"] == "/etc/envoy/holidaypeak.binpb"


def test_every_agent_is_transcoded_routed_and_health_checked(platform: DescriptorSet) -> None:
    bootstrap = bootstrap_for(platform)
    agents = {agent.full_name for agent in AGENTS}
    assert agents <= set(http_filter(bootstrap, TRANSCODER)["services"])
    by_name = clusters(bootstrap)
    for name in agents:
        assert by_name[name]["health_checks"][0]["grpc_health_check"] == {"service_name": name}
    bindings = service_bindings(platform, sorted(agents))
    assert len(bindings) >= 28
    for binding in bindings:
        assert first_route(bootstrap, binding.rpc)["route"]["cluster"] == binding.service, binding.rpc


def test_the_transcoder_is_configured_strictly(platform: DescriptorSet) -> None:
    transcoder = http_filter(bootstrap_for(platform, max_request_body_bytes=4096), TRANSCODER)
    assert transcoder["convert_grpc_status"] is True
    assert transcoder["auto_mapping"] is False
    assert transcoder["match_incoming_request_route"] is False
    assert transcoder["request_validation_options"] == {
        "reject_unknown_method": True,
        "reject_unknown_query_parameters": True,
        "reject_binding_body_field_collisions": True,
    }
    options = transcoder["print_options"]
    assert options["preserve_proto_field_names"] is True
    # Same printing as the local gateway (HPH_JSON_EMIT_DEFAULTS, on by default).
    assert options["always_print_primitive_fields"] is True
    assert options["always_print_enums_as_ints"] is False
    assert transcoder["max_request_body_size"] == 4096


def test_the_transcoder_reads_a_plus_in_a_query_value_as_a_space(platform: DescriptorSet) -> None:
    # Browsers send `?search=dutch+oven`; Envoy keeps the "+" literal unless told otherwise. The
    # bootstrap (validated against Envoy's schema above) carries the flag; YAML keeps it a boolean.
    bootstrap = bootstrap_for(platform)
    assert http_filter(bootstrap, TRANSCODER)["query_param_unescape_plus"] is True
    rendered = yaml.safe_load(envoy.render_yaml(bootstrap))
    assert http_filter(rendered, TRANSCODER)["query_param_unescape_plus"] is True


def test_filters_run_cors_then_rate_limit_then_transcoder_then_router(platform: DescriptorSet) -> None:
    names = [f["name"] for f in hcm(bootstrap_for(platform))["http_filters"]]
    assert names == [
        "envoy.filters.http.cors",
        "envoy.filters.http.local_ratelimit",
        TRANSCODER,
        "envoy.filters.http.router",
    ]


def test_every_http_rule_reaches_its_service_cluster(platform: DescriptorSet) -> None:
    bootstrap = bootstrap_for(platform)
    by_name = clusters(bootstrap)
    for binding in service_bindings(platform):
        route = first_route(bootstrap, binding.rpc)
        assert route["route"]["cluster"] == binding.service, binding.rpc
        assert binding.service in by_name


def test_each_service_has_a_prefix_route_and_a_healthy_http2_cluster(platform: DescriptorSet) -> None:
    bootstrap = bootstrap_for(platform)
    prefixes = {r["match"].get("prefix"): r for r in routes(bootstrap)}
    by_name = clusters(bootstrap)
    with_rules = sorted({b.service for b in service_bindings(platform)})
    assert sorted(by_name) == with_rules
    for service in with_rules:
        assert prefixes[f"/{service}/"]["route"]["cluster"] == service
        cluster = by_name[service]
        options = cluster["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        assert "http2_protocol_options" in options["explicit_http_config"]
        assert cluster["health_checks"][0]["grpc_health_check"] == {"service_name": service}
        assert cluster["circuit_breakers"]["thresholds"][0]["max_requests"] > 0
        assert cluster["outlier_detection"]["consecutive_gateway_failure"] > 0
        assert cluster["connect_timeout"] == "1s"


def test_only_reads_are_retried(platform: DescriptorSet) -> None:
    bootstrap = bootstrap_for(platform, upstream_timeout_seconds=9)
    reads = {b.rpc for b in service_bindings(platform) if b.http_method == "GET"}
    assert reads, "the platform has GET rules"
    for binding in service_bindings(platform):
        action = first_route(bootstrap, binding.rpc)["route"]
        assert action["timeout"] == "9s"
        if binding.rpc in reads:
            assert action["retry_policy"]["retry_on"] == RETRY_ON, binding.rpc
            assert action["retry_policy"]["per_try_timeout"] == "3s"
        else:
            assert "retry_policy" not in action, f"{binding.rpc} is {binding.http_method}, not a read"


def test_rpcs_without_http_rules_are_not_reachable_from_outside(bookstore: Any) -> None:
    descriptors = load_descriptor_set(bookstore.descriptor_set)
    route = first_route(bootstrap_for(descriptors), "/bookstore.v1.Bookstore/Internal")
    assert route["direct_response"]["status"] == 404
    assert "route" not in route


def test_streams_have_no_route_timeout(bookstore: Any) -> None:
    bootstrap = bootstrap_for(load_descriptor_set(bookstore.descriptor_set))
    stream = first_route(bootstrap, "/bookstore.v1.Bookstore/StreamBooks")["route"]
    assert stream["timeout"] == "0s"
    assert stream["retry_policy"]["retry_on"] == RETRY_ON
    assert "per_try_timeout" not in stream["retry_policy"]
    create = first_route(bootstrap, "/bookstore.v1.Bookstore/CreateShelf")["route"]
    assert create["timeout"] == "15s" and "retry_policy" not in create


def test_unknown_paths_end_in_a_404_catch_all(platform: DescriptorSet) -> None:
    last = routes(bootstrap_for(platform))[-1]
    assert last["match"] == {"prefix": "/"}
    assert last["direct_response"]["status"] == 404


def test_cors_allows_configured_origins_exactly(platform: DescriptorSet) -> None:
    bootstrap = bootstrap_for(
        platform, cors_origins=("https://a.example", "https://b.example"), cors_allow_credentials=True
    )
    policy = hcm(bootstrap)["route_config"]["virtual_hosts"][0]["typed_per_filter_config"]["envoy.filters.http.cors"]
    assert policy["allow_origin_string_match"] == [{"exact": "https://a.example"}, {"exact": "https://b.example"}]
    assert policy["allow_credentials"] is True
    assert "x-request-id" in policy["expose_headers"]


def test_cors_never_allows_credentials_with_a_wildcard(platform: DescriptorSet) -> None:
    bootstrap = bootstrap_for(platform, cors_origins=("*",), cors_allow_credentials=True)
    policy = hcm(bootstrap)["route_config"]["virtual_hosts"][0]["typed_per_filter_config"]["envoy.filters.http.cors"]
    assert policy["allow_origin_string_match"] == [{"exact": "*"}]
    assert "allow_credentials" not in policy


def test_no_cors_policy_without_origins(platform: DescriptorSet) -> None:
    assert "typed_per_filter_config" not in hcm(bootstrap_for(platform))["route_config"]["virtual_hosts"][0]


def test_rate_limits_come_from_the_options(platform: DescriptorSet) -> None:
    limits = envoy.RateLimits(per_ip_per_minute=30, per_user_per_minute=7, per_instance_per_minute=900)
    config = http_filter(bootstrap_for(platform, rate_limits=limits), "envoy.filters.http.local_ratelimit")
    assert config["token_bucket"] == {"max_tokens": 900, "tokens_per_fill": 900, "fill_interval": "60s"}
    buckets = {d["entries"][0]["key"]: d["token_bucket"]["max_tokens"] for d in config["descriptors"]}
    assert buckets == {"remote_address": 30, "bearer": 7}
    assert config["filter_enforced"]["default_value"]["numerator"] == 100


def test_access_log_is_json_on_stdout_with_request_id(platform: DescriptorSet) -> None:
    log = hcm(bootstrap_for(platform))["access_log"][0]
    assert log["name"] == "envoy.access_loggers.stdout"
    fields = log["typed_config"]["log_format"]["json_format"]
    assert {"request_id", "method", "path", "status", "duration_ms"} <= set(fields)
    manager = hcm(bootstrap_for(platform))
    assert manager["generate_request_id"] is True
    assert manager["use_remote_address"] is True


def test_admin_listens_on_loopback_only(platform: DescriptorSet) -> None:
    assert bootstrap_for(platform)["admin"]["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 9901}


def test_a_service_without_an_upstream_is_refused(platform: DescriptorSet) -> None:
    with pytest.raises(ValueError, match="CatalogService"):
        envoy.build_bootstrap(platform, descriptor_path_in_envoy="/x.binpb", upstreams={})


def test_yaml_is_deterministic_and_round_trips(platform: DescriptorSet) -> None:
    first = envoy.render_yaml(bootstrap_for(platform, cors_origins=("*",)))
    second = envoy.render_yaml(bootstrap_for(load_descriptor_set(), cors_origins=("*",)))
    assert first == second
    assert "&id" not in first  # no YAML anchors: shared sub-dicts are written out
    assert yaml.safe_load(first) == bootstrap_for(platform, cors_origins=("*",))


# ---------------------------------------------------------------- the CLI


def test_main_writes_a_valid_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPH_CORS_ALLOWED_ORIGINS", "https://shop.example")
    monkeypatch.setenv("HPH_RATE_LIMIT_PER_USER_PER_MINUTE", "42")
    output = tmp_path / "envoy.yaml"
    assert envoy.main(["--output", str(output), "--listen-port", "10000"]) == 0
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    validate_envoy(copy.deepcopy(written))
    assert written["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"] == 10000
    policy = hcm(written)["route_config"]["virtual_hosts"][0]["typed_per_filter_config"]["envoy.filters.http.cors"]
    assert policy["allow_origin_string_match"] == [{"exact": "https://shop.example"}]
    limits = http_filter(written, "envoy.filters.http.local_ratelimit")["descriptors"]
    assert {"key": "bearer"} in limits[1]["entries"] and limits[1]["token_bucket"]["max_tokens"] == 42


def test_main_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert envoy.main([]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["admin"]


def test_main_places_services_at_their_upstreams(tmp_path: Path, bookstore: Any) -> None:
    output = tmp_path / "envoy.yaml"
    argv = [
        "--output",
        str(output),
        "--descriptor",
        str(bookstore.descriptor_path),
        "--upstream-host",
        "10.0.0.9",
        "--upstream-port",
        "7000",
        "--upstream",
        "Bookstore=bookstore.svc:50051",
    ]
    assert envoy.main(argv) == 0
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    validate_envoy(copy.deepcopy(written))
    cluster = clusters(written)["bookstore.v1.Bookstore"]
    assert cluster["type"] == "STRICT_DNS"
    address = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
    assert address == {"address": "bookstore.svc", "port_value": 50051}


def test_main_refuses_an_unknown_upstream_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert envoy.main(["--output", str(tmp_path / "x.yaml"), "--upstream", "Nope=h:1"]) == 2
    assert "Nope" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()
