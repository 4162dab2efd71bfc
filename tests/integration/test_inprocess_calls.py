"""In-process calls between co-hosted services (hph.runtime.rpc.local) against the loopback path.

Two kinds of servers, all real:

- Hubs (the real services) started twice, with in-process calls on (the default) and off
  (`inprocess_calls=False`): a refusal a caller gets from a callee, and what the caller then tells its
  own client, must be the same code, details and google.rpc details either way.
- A probe server built like `start_grpc_host` builds one (a grpc.aio server and a LocalDispatcher
  sharing one PlatformInterceptor) hosting a small test service whose handlers report what they saw,
  sleep, fail on request or call another method in-process: deadlines, metadata, UNIMPLEMENTED and
  the call context are checked against the same methods over a real socket.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import wrappers_pb2
from google.rpc import error_details_pb2
from test_orders_grpc import HUB_SERVICES, new_shopper, reserved, set_stock, stocked_skus

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import reservation_pb2
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.auth.principal import ROLE_CUSTOMER, Principal
from hph.runtime.errors import FailedPrecondition, FieldViolation, InvalidArgument, PermissionDenied
from hph.runtime.rpc.call_context import CallContext, current_call, forwarded_metadata, reset_call, set_call
from hph.runtime.rpc.interceptors import PlatformInterceptor
from hph.runtime.rpc.local import LocalChannel, LocalDispatcher
from hph.runtime.rpc.policy import OPEN_POLICY, PolicyTable
from tests.support.platform_harness import Hub, Metadata, running_hub
from tests.support.rich_status import details, reason, violated_fields
from tests.support.shoppers import HOME

pytestmark = pytest.mark.integration

Outcome = tuple[grpc.StatusCode, str, list[object]]


def outcome(error: grpc.aio.AioRpcError) -> Outcome:
    """What a caller can read of a failure: code, details and the decoded google.rpc details."""
    return error.code(), error.details() or "", details(error)


async def failure(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


# --- the real services, in-process and over the loopback ---------------------------------------


@dataclass
class Hubs:
    inprocess: Hub
    loopback: Hub


@pytest.fixture
async def hubs(tmp_path: Path) -> AsyncIterator[Hubs]:
    """The services an order touches, seeded, once with in-process calls and once without."""
    async with (
        running_hub(tmp_path / "inprocess", services=HUB_SERVICES, seed=True) as inprocess,
        running_hub(
            tmp_path / "loopback", services=HUB_SERVICES, seed=True, settings_overrides={"inprocess_calls": False}
        ) as loopback,
    ):
        yield Hubs(inprocess, loopback)


def test_hubs_take_the_path_their_settings_ask_for(hubs: Hubs) -> None:
    assert hubs.inprocess.settings.inprocess_calls is True
    assert isinstance(hubs.inprocess.platform.channels.get("inventory"), LocalChannel)
    assert hubs.loopback.settings.inprocess_calls is False
    loopback_channel = hubs.loopback.platform.channels.get("inventory")
    assert isinstance(loopback_channel, grpc.aio.Channel)
    assert not isinstance(loopback_channel, LocalChannel)


def local_channel(hub: Hub) -> LocalChannel:
    """The channel a co-hosted service gets for its peers in `hub` (checked to be the local one)."""
    channel = hub.platform.channels.get("inventory")
    assert isinstance(channel, LocalChannel)
    return channel


async def a_sku(hub: Hub) -> str:
    [sku] = await stocked_skus(hub, 1)
    return sku


async def test_callee_refusals_are_the_same_in_process_and_over_the_socket(hubs: Hubs) -> None:
    """Each request goes to the same callee through LocalChannel and through a real gRPC channel."""
    hub = hubs.inprocess
    local, remote = local_channel(hub), hub.channel
    sku = await a_sku(hub)
    customer = hub.auth("customer", "cust-1")
    staff = hub.auth("staff", "staff-sam")
    await set_stock(hub, sku, await reserved(hub, sku) + 5)
    reserve_too_much = inventory_pb.ReserveStockRequest(
        order_id="ord-x",
        user_id="cust-1",
        lines=[reservation_pb2.ReservationLine(sku=sku, quantity=50)],
        request_id="ord-x.reserve",
    )
    cases: list[tuple[str, Callable[[Any], Awaitable[object]], grpc.StatusCode]] = [
        # The caller lacks the role an internal RPC needs.
        (
            "permission",
            lambda ch: inventory_grpc.InventoryServiceStub(ch).ReserveStock(reserve_too_much, metadata=customer),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        # The business refusal checkout relies on: OUT_OF_STOCK with its PreconditionFailure.
        (
            "out of stock",
            lambda ch: inventory_grpc.InventoryServiceStub(ch).ReserveStock(reserve_too_much, metadata=staff),
            grpc.StatusCode.FAILED_PRECONDITION,
        ),
        # Malformed request: BadRequest field violations.
        (
            "invalid",
            lambda ch: users_grpc.UserServiceStub(ch).CreateAddress(
                users_pb.CreateAddressRequest(name="", line1="", country_code="XX"), metadata=customer
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            "anonymous",
            lambda ch: cart_grpc.CartServiceStub(ch).GetCart(cart_pb.GetCartRequest()),
            grpc.StatusCode.UNAUTHENTICATED,
        ),
        (
            "bad token",
            lambda ch: cart_grpc.CartServiceStub(ch).GetCart(
                cart_pb.GetCartRequest(), metadata=(("authorization", "Bearer not-a-jwt"),)
            ),
            grpc.StatusCode.UNAUTHENTICATED,
        ),
        (
            "not found",
            lambda ch: catalog_grpc.CatalogServiceStub(ch).GetProduct(
                catalog_pb.GetProductRequest(product_id="prd_does_not_exist")
            ),
            grpc.StatusCode.NOT_FOUND,
        ),
    ]
    for name, call, code in cases:
        over_socket = outcome(await failure(call(remote)))
        in_process = outcome(await failure(call(local)))
        assert over_socket[0] == code, (name, over_socket)
        assert in_process == over_socket, name

    # The rich details really were there to compare (not two empty lists).
    denied = await failure(inventory_grpc.InventoryServiceStub(local).ReserveStock(reserve_too_much, metadata=customer))
    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    assert any(isinstance(d, error_details_pb2.ErrorInfo) for d in details(denied))
    short = await failure(inventory_grpc.InventoryServiceStub(local).ReserveStock(reserve_too_much, metadata=staff))
    assert reason(short) == "OUT_OF_STOCK"
    [precondition] = [d for d in details(short) if isinstance(d, error_details_pb2.PreconditionFailure)]
    assert [v.type for v in precondition.violations] == ["OUT_OF_STOCK"]
    invalid = await failure(
        users_grpc.UserServiceStub(local).CreateAddress(
            users_pb.CreateAddressRequest(name="", line1="", country_code="XX"), metadata=customer
        )
    )
    assert {"name", "line1"} <= set(violated_fields(invalid))


async def test_what_a_caller_makes_of_a_callees_refusal_is_the_same_either_way(hubs: Hubs) -> None:
    """CreateOrder asks users, cart, catalog and inventory; their refusals reach its client the same
    whether those calls were in-process or over the loopback."""
    results: dict[str, list[Outcome]] = {}
    for label, hub in (("inprocess", hubs.inprocess), ("loopback", hubs.loopback)):
        shopper = await new_shopper(hub)
        sku = await a_sku(hub)
        await shopper.add(sku, 5)
        await set_stock(hub, sku, await reserved(hub, sku) + 2)  # 2 left for a cart of 5
        out_of_stock = await failure(shopper.place(f"{label}-short"))
        assert reason(out_of_stock) == "OUT_OF_STOCK"
        # users answers for an address id that is not the shopper's (as the shopper: forwarded token)
        unknown_address = await failure(
            shopper.orders.CreateOrder(
                orders_pb.CreateOrderRequest(shipping_address_id="adr_0000000000000000", request_id=f"{label}-adr"),
                metadata=shopper.me,
            )
        )
        assert reason(unknown_address) == "SHIPPING_ADDRESS_INVALID"
        # Another user's address: users applies its owner rules to the forwarded token.
        someone = await new_shopper(hub)
        other_users_address = await users_grpc.UserServiceStub(hub.channel).CreateAddress(
            users_pb.CreateAddressRequest(**HOME), metadata=someone.me
        )
        foreign_address = await failure(
            shopper.orders.CreateOrder(
                orders_pb.CreateOrderRequest(shipping_address_id=other_users_address.id, request_id=f"{label}-frn"),
                metadata=shopper.me,
            )
        )
        results[label] = [
            _without(outcome(out_of_stock), sku),
            outcome(unknown_address),
            _without(outcome(foreign_address), other_users_address.id),
        ]
    assert results["inprocess"] == results["loopback"]


def _without(found: Outcome, varying: str) -> Outcome:
    """An outcome with an id that differs between the two hubs masked, so the rest can be compared."""
    code, text, rich = found
    masked: list[object] = []
    for detail in rich:
        copy = type(detail)()  # type: ignore[call-arg]
        copy.CopyFrom(detail)  # type: ignore[attr-defined]
        masked.append(copy)
        for violation in getattr(copy, "violations", ()):
            violation.subject = violation.subject.replace(varying, "<id>")
            violation.description = violation.description.replace(varying, "<id>")
        if isinstance(copy, error_details_pb2.ErrorInfo):
            for key, value in list(copy.metadata.items()):
                copy.metadata[key] = value.replace(varying, "<id>")
    return code, text.replace(varying, "<id>"), masked


async def test_unknown_methods_of_hosted_services_are_unimplemented(hubs: Hubs) -> None:
    hub = hubs.inprocess
    method = "/holidaypeak.commerce.v1.CartService/NoSuchMethod"
    for channel in (local_channel(hub), hub.channel):
        call = channel.unary_unary(
            method,
            request_serializer=wrappers_pb2.StringValue.SerializeToString,
            response_deserializer=wrappers_pb2.StringValue.FromString,
        )
        error = await failure(call(wrappers_pb2.StringValue(value="x"), timeout=5))
        assert error.code() == grpc.StatusCode.UNIMPLEMENTED


async def test_the_callee_acts_as_the_forwarded_caller(hubs: Hubs) -> None:
    """GetCart called in-process with a shopper's token returns that shopper's cart."""
    hub = hubs.inprocess
    shopper = await new_shopper(hub, with_card=False)
    sku = await a_sku(hub)
    await shopper.add(sku, 2)

    cart = await cart_grpc.CartServiceStub(local_channel(hub)).GetCart(
        cart_pb.GetCartRequest(), metadata=(*shopper.me, ("x-request-id", "req-forwarded")), timeout=5
    )
    assert [(item.product_id, item.quantity) for item in cart.items] == [(sku, 2)]


# --- a probe service, hosted like the platform's --------------------------------------------------


PROBE = "hph.test.Probe"


def _text(request: wrappers_pb2.StringValue) -> str:
    return request.value


class ProbeService:
    """Handlers that report what they saw; each is a real grpc unary handler."""

    def __init__(self) -> None:
        self.local: LocalChannel | None = None
        self.cancelled = asyncio.Event()

    def method(self, name: str) -> Callable[..., Any]:
        assert self.local is not None
        return self.local.unary_unary(
            f"/{PROBE}/{name}",
            request_serializer=wrappers_pb2.StringValue.SerializeToString,
            response_deserializer=wrappers_pb2.StringValue.FromString,
        )

    async def whoami(self, request: wrappers_pb2.StringValue, context: Any) -> wrappers_pb2.StringValue:
        call = current_call()
        seen = {
            "subject": call.principal.subject,
            "request_id": call.request_id,
            "authorization": call.authorization,
            "idempotency_key": call.idempotency_key,
            "custom": [m.value for m in context.invocation_metadata() if m.key == "x-custom"],
        }
        return wrappers_pb2.StringValue(value=json.dumps(seen))

    async def sleep(self, request: wrappers_pb2.StringValue, context: Any) -> wrappers_pb2.StringValue:
        try:
            await asyncio.sleep(float(request.value))
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        return wrappers_pb2.StringValue(value="slept")

    async def fail(self, request: wrappers_pb2.StringValue, context: Any) -> wrappers_pb2.StringValue:
        kind = request.value
        if kind == "invalid":
            raise InvalidArgument(
                "two fields are wrong",
                violations=(FieldViolation("name", "is required"), FieldViolation("lines[0].sku", "unknown")),
            )
        if kind == "precondition":
            raise FailedPrecondition(
                "not enough stock",
                reason=ErrorReason.ERROR_REASON_OUT_OF_STOCK,
                subject="sku:A,sku:B",
                metadata={"skus": "A,B"},
            )
        if kind == "denied":
            raise PermissionDenied(
                "staff only", reason=ErrorReason.ERROR_REASON_NOT_OWNER, metadata={"required_role": "staff"}
            )
        if kind == "abort":
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down")
        raise RuntimeError("an unexpected bug with internal details")

    async def nested(self, request: wrappers_pb2.StringValue, context: Any) -> wrappers_pb2.StringValue:
        """Calls Whoami, a failing method and a timed-out one in-process, as a service calls a peer,
        and reports its own call context after each."""
        mine = current_call()
        report: dict[str, Any] = {}
        inner = await self.method("Whoami")(
            wrappers_pb2.StringValue(), metadata=(*forwarded_metadata(), ("x-custom", "nested")), timeout=5
        )
        report["inner"] = json.loads(inner.value)
        report["after_ok"] = current_call() is mine
        try:
            await self.method("Fail")(wrappers_pb2.StringValue(value="precondition"), timeout=5)
        except grpc.aio.AioRpcError as exc:
            report["failed_with"] = exc.code().name
        report["after_error"] = current_call() is mine
        try:
            await self.method("Sleep")(wrappers_pb2.StringValue(value="5"), timeout=0.05)
        except grpc.aio.AioRpcError as exc:
            report["timed_out_with"] = exc.code().name
        report["after_deadline"] = current_call() is mine
        report["request_id"] = current_call().request_id
        return wrappers_pb2.StringValue(value=json.dumps(report))

    async def give_up(self, request: wrappers_pb2.StringValue, context: Any) -> wrappers_pb2.StringValue:
        """Ends in CancelledError of its own making (awaits something cancelled), not its caller's."""
        abandoned: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        abandoned.cancel()
        await abandoned
        return wrappers_pb2.StringValue()

    async def bad_reply(self, request: wrappers_pb2.StringValue, context: Any) -> Any:
        return "not a message"  # the response serializer fails on it

    async def echo_bytes(self, request: bytes, context: Any) -> bytes:
        return request[::-1]

    def handler(self) -> grpc.GenericRpcHandler:
        def unary(behaviour: Callable[..., Any]) -> grpc.RpcMethodHandler:
            return grpc.unary_unary_rpc_method_handler(
                behaviour,
                request_deserializer=wrappers_pb2.StringValue.FromString,
                response_serializer=wrappers_pb2.StringValue.SerializeToString,
            )

        return grpc.method_handlers_generic_handler(
            PROBE,
            {
                "Whoami": unary(self.whoami),
                "Sleep": unary(self.sleep),
                "Fail": unary(self.fail),
                "Nested": unary(self.nested),
                "GiveUp": unary(self.give_up),
                "BadReply": unary(self.bad_reply),
                # Bytes in, bytes out (no serializers), like the placeholder of an unimplemented service.
                "EchoBytes": grpc.unary_unary_rpc_method_handler(self.echo_bytes),
            },
        )


async def _authenticate(token: str) -> Principal:
    """Trusts tokens of the form "user:<subject>" (the probe has no issuer; the policy path is real)."""
    return Principal(
        subject=token.removeprefix("user:"),
        email="",
        name="",
        role=ROLE_CUSTOMER,
        token_id=token,
        expires_at=None,
        issuer="probe",
    )


@dataclass
class Probe:
    service: ProbeService
    local: LocalChannel
    remote: grpc.aio.Channel

    def call(self, channel: Any, name: str) -> Callable[..., Any]:
        return channel.unary_unary(
            f"/{PROBE}/{name}",
            request_serializer=wrappers_pb2.StringValue.SerializeToString,
            response_deserializer=wrappers_pb2.StringValue.FromString,
        )


@pytest.fixture
async def probe() -> AsyncIterator[Probe]:
    """The probe service on a free port and behind a LocalDispatcher, sharing one interceptor, as
    `start_grpc_host` wires the platform's services."""
    interceptor = PlatformInterceptor(PolicyTable([]), _authenticate)
    server = grpc.aio.server(interceptors=[interceptor])
    dispatcher = LocalDispatcher(interceptor)
    service = ProbeService()
    server.add_generic_rpc_handlers((service.handler(),))
    dispatcher.add_generic_rpc_handlers((service.handler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    service.local = LocalChannel(dispatcher)
    remote = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Probe(service, service.local, remote)
    finally:
        await remote.close()
        await server.stop(0)


async def test_domain_errors_keep_code_details_and_rich_status(probe: Probe) -> None:
    for kind in ("invalid", "precondition", "denied", "abort", "bug"):
        request = wrappers_pb2.StringValue(value=kind)
        over_socket = outcome(await failure(probe.call(probe.remote, "Fail")(request, timeout=5)))
        in_process = outcome(await failure(probe.call(probe.local, "Fail")(request, timeout=5)))
        assert in_process == over_socket, kind

    request = wrappers_pb2.StringValue(value="invalid")
    invalid = await failure(probe.call(probe.local, "Fail")(request))
    assert violated_fields(invalid) == {"name": "is required", "lines[0].sku": "unknown"}
    assert reason(invalid) == "VALIDATION_FAILED"
    short = await failure(probe.call(probe.local, "Fail")(wrappers_pb2.StringValue(value="precondition")))
    assert (short.code(), short.details(), reason(short)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "not enough stock",
        "OUT_OF_STOCK",
    )
    info = next(d for d in details(short) if isinstance(d, error_details_pb2.ErrorInfo))
    assert dict(info.metadata) == {"skus": "A,B"}
    [violation] = next(d for d in details(short) if isinstance(d, error_details_pb2.PreconditionFailure)).violations
    assert (violation.type, violation.subject) == ("OUT_OF_STOCK", "sku:A,sku:B")
    bug = await failure(probe.call(probe.local, "Fail")(wrappers_pb2.StringValue(value="bug")))
    assert bug.code() == grpc.StatusCode.INTERNAL
    assert "unexpected bug" not in (bug.details() or "")


async def test_a_local_call_honours_its_timeout(probe: Probe) -> None:
    request = wrappers_pb2.StringValue(value="30")
    started = time.monotonic()
    error = await failure(probe.call(probe.local, "Sleep")(request, timeout=0.2))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 5
    await asyncio.wait_for(probe.service.cancelled.wait(), 5)  # the callee was stopped, not left running

    over_socket = await failure(probe.call(probe.remote, "Sleep")(request, timeout=0.2))
    assert over_socket.code() == error.code()

    quick = await probe.call(probe.local, "Sleep")(wrappers_pb2.StringValue(value="0"), timeout=5)
    assert quick.value == "slept"  # a deadline that is not reached changes nothing


async def test_failures_outside_the_handlers_code_read_as_over_the_socket(probe: Probe) -> None:
    """An answer that cannot be serialised is UNKNOWN either way; a handler that ends in a
    CancelledError of its own is CANCELLED at once in-process (over the socket the server never
    answers it, and the caller waits for its deadline), never a bare exception in the caller."""
    request = wrappers_pb2.StringValue(value="x")
    over_socket = await failure(probe.call(probe.remote, "BadReply")(request, timeout=5))
    in_process = await failure(probe.call(probe.local, "BadReply")(request, timeout=5))
    assert in_process.code() == over_socket.code() == grpc.StatusCode.UNKNOWN
    assert "not a message" not in (in_process.details() or "")

    started = time.monotonic()
    gave_up = await failure(probe.call(probe.local, "GiveUp")(request, timeout=5))
    assert gave_up.code() == grpc.StatusCode.CANCELLED and time.monotonic() - started < 1
    abandoned = await failure(probe.call(probe.remote, "GiveUp")(request, timeout=0.3))
    assert abandoned.code() == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_bytes_pass_through_when_there_are_no_serializers(probe: Probe) -> None:
    for channel in (probe.remote, probe.local):
        raw = channel.unary_unary(f"/{PROBE}/EchoBytes", request_serializer=None, response_deserializer=None)
        assert await raw(b"abc", timeout=5) == b"cba"
    # A stub's typed call to the raw method: the bytes are its serialised request either way.
    typed = await probe.call(probe.local, "EchoBytes")(wrappers_pb2.StringValue(value=""), timeout=5)
    assert typed == wrappers_pb2.StringValue()


async def test_unknown_method_is_unimplemented(probe: Probe) -> None:
    request = wrappers_pb2.StringValue(value="x")
    in_process = await failure(probe.call(probe.local, "NoSuchMethod")(request, timeout=5))
    over_socket = await failure(probe.call(probe.remote, "NoSuchMethod")(request, timeout=5))
    assert in_process.code() == over_socket.code() == grpc.StatusCode.UNIMPLEMENTED
    elsewhere = probe.local.unary_unary(
        "/hph.test.Elsewhere/Whoami",
        request_serializer=wrappers_pb2.StringValue.SerializeToString,
        response_deserializer=wrappers_pb2.StringValue.FromString,
    )
    assert (await failure(elsewhere(request))).code() == grpc.StatusCode.UNIMPLEMENTED


async def test_the_callee_sees_the_callers_metadata(probe: Probe) -> None:
    metadata: Metadata = (
        ("authorization", "Bearer user:ann"),
        ("x-request-id", "req-123"),
        ("idempotency-key", "idem-9"),
        ("x-custom", "hello"),
    )
    seen = {}
    for label, channel in (("local", probe.local), ("remote", probe.remote)):
        answer = await probe.call(channel, "Whoami")(wrappers_pb2.StringValue(), metadata=metadata, timeout=5)
        seen[label] = json.loads(answer.value)
    assert (
        seen["local"]
        == seen["remote"]
        == {
            "subject": "ann",
            "request_id": "req-123",
            "authorization": "Bearer user:ann",
            "idempotency_key": "idem-9",
            "custom": ["hello"],
        }
    )


async def test_the_callers_call_context_is_restored_after_local_calls(probe: Probe) -> None:
    mine = CallContext(principal=await _authenticate("user:outer"), policy=OPEN_POLICY, request_id="outer-req")
    token = set_call(mine)
    try:
        whoami = await probe.call(probe.local, "Whoami")(
            wrappers_pb2.StringValue(), metadata=(("authorization", "Bearer user:inner"),), timeout=5
        )
        assert json.loads(whoami.value)["subject"] == "inner"  # the callee had its own context ...
        assert current_call() is mine  # ... and ours is back
        await failure(probe.call(probe.local, "Fail")(wrappers_pb2.StringValue(value="denied")))
        assert current_call() is mine
        await failure(probe.call(probe.local, "Sleep")(wrappers_pb2.StringValue(value="30"), timeout=0.05))
        assert current_call() is mine
    finally:
        reset_call(token)

    # Outside any call (a background job), a local call leaves no call context behind.
    await probe.call(probe.local, "Whoami")(wrappers_pb2.StringValue(), timeout=5)
    with pytest.raises(RuntimeError):
        current_call()


async def test_a_handler_calling_a_peer_in_process_keeps_its_own_context(probe: Probe) -> None:
    metadata = (("authorization", "Bearer user:bob"), ("x-request-id", "req-outer"))
    for channel in (probe.remote, probe.local):  # the outer call over the socket, then in-process too
        answer = await probe.call(channel, "Nested")(wrappers_pb2.StringValue(), metadata=metadata, timeout=10)
        report = json.loads(answer.value)
        assert report["inner"]["subject"] == "bob"  # forwarded_metadata() carried the token ...
        assert report["inner"]["request_id"] == "req-outer"  # ... and the request id
        assert report["inner"]["custom"] == ["nested"]
        assert report["failed_with"] == "FAILED_PRECONDITION"
        assert report["timed_out_with"] == "DEADLINE_EXCEEDED"
        assert report["after_ok"] and report["after_error"] and report["after_deadline"]
        assert report["request_id"] == "req-outer"
