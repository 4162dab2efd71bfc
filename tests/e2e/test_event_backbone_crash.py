"""Issue #11's crash acceptance against `hph up` as shipped: shoppers pay orders and cancel some of
them (payments refunds each cancelled paid order; analytics projects every payment and refund)
while this test watches the platform's event log and consumer ledger from outside; the moment a
consumer group has handled events past its checkpoint (in the middle of a batch: effects and
ledger marks written, the checkpoint not yet), the platform is SIGKILLed; it is frozen (SIGSTOP)
while the test reads its state, so the kill lands exactly where the reading found it. After a restart every
event's effect must have happened exactly once: analytics counts each paid order and each refund
once, and no cancelled order is refunded twice."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import analytics_service_pb2 as analytics_pb
from holidaypeak.commerce.v1 import analytics_service_pb2_grpc as analytics_grpc
from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_pb2, payment_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from hph.host.app import open_store
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.consumers import EventAdmin
from hph.runtime.eventlog import LOG_FILE_NAME, SqliteEventLog
from hph.runtime.settings import DEFAULT_AUDIENCE, Settings
from hph.runtime.storage import DocumentStore, Query, StorageError
from tests.support.hph_process import grpc_address, start_hph, stop_hph
from tests.support.shoppers import APPROVED_CARD, HOME
from tests.support.tokens import Metadata, signed_bearer

pytestmark = pytest.mark.integration

GROUPS = {"analytics": ("order-events", "payment-events"), "payments": ("order-events",)}
SHOPPERS, ORDERS_PER_ROUND, MAX_ROUNDS = 6, 24, 6
# Large batches: a consumer checkpoints after each, so the window a kill must hit is wide.
ENV = {"HPH_ANALYTICS_CACHE_SECONDS": "0", "HPH_CONSUMER_BATCH_SIZE": "500"}


@dataclass
class Platform:
    """A running `hph up` and a gRPC channel to it."""

    process: subprocess.Popen[str]
    channel: grpc.aio.Channel
    issuer: DevIssuer

    def auth(self, role: str, sub: str) -> Metadata:
        return (("authorization", signed_bearer(self.issuer, role, sub)),)


async def start(data_dir: Path) -> Platform:
    process, banner = start_hph(data_dir, env=ENV)
    channel = grpc.aio.insecure_channel(grpc_address(banner))
    return Platform(process, channel, DevIssuer(data_dir, audience=DEFAULT_AUDIENCE))


@dataclass
class Shopper:
    sub: str
    address_id: str = ""
    card_id: str = ""
    orders: list[str] = field(default_factory=list)


async def register(platform: Platform, sub: str) -> Shopper:
    users = users_grpc.UserServiceStub(platform.channel)
    me = platform.auth("customer", sub)
    await users.Register(users_pb.RegisterRequest(name=sub), metadata=me)
    address = await users.CreateAddress(users_pb.CreateAddressRequest(**HOME), metadata=me)
    card = await users.CreatePaymentMethod(users_pb.CreatePaymentMethodRequest(token=APPROVED_CARD), metadata=me)
    return Shopper(sub, address.id, card.id)


async def pay_an_order(platform: Platform, shopper: Shopper, sku: str) -> None:
    me = platform.auth("customer", shopper.sub)
    await cart_grpc.CartServiceStub(platform.channel).AddCartItem(
        cart_pb.AddCartItemRequest(product_id=sku, quantity=1, request_id=uuid.uuid4().hex), metadata=me
    )
    order = await orders_grpc.OrderServiceStub(platform.channel).CreateOrder(
        orders_pb.CreateOrderRequest(
            shipping_address_id=shopper.address_id, payment_method_id=shopper.card_id, request_id=uuid.uuid4().hex
        ),
        metadata=me,
    )
    await payments_grpc.PaymentServiceStub(platform.channel).CreatePayment(
        payments_pb.CreatePaymentRequest(
            order_id=order.id, payment_method_id=shopper.card_id, amount=order.total, request_id=uuid.uuid4().hex
        ),
        metadata=me,
    )
    shopper.orders.append(order.id)


async def cancel(platform: Platform, shopper: Shopper, order_id: str) -> None:
    await orders_grpc.OrderServiceStub(platform.channel).CancelOrder(
        orders_pb.CancelOrderRequest(order_id=order_id, reason="changed my mind", request_id=uuid.uuid4().hex),
        metadata=platform.auth("customer", shopper.sub),
    )


class Outside:
    """The platform's event log and consumer state, read from this process (another process on the
    same SQLite files, as `hph events` would be)."""

    def __init__(self, log: SqliteEventLog, store: DocumentStore) -> None:
        self.log = log
        self.store = store

    async def handled_past_checkpoint(self) -> int:
        """Events some group has handled (ledger mark written) that its checkpoint does not cover."""
        ledger = await self.store.container("consumer_ledger", "/group")
        past = 0
        for group, topics in GROUPS.items():
            checkpoints = {topic: await self.log.checkpoints(group, topic) for topic in topics}
            marks = (await ledger.query(Query(), partition_key=group, max_items=10_000)).items
            for mark in marks:
                checkpoint = checkpoints.get(mark["topic"], {}).get(mark["partition"], 0)
                past += mark["topic"] in checkpoints and mark["sequence"] > checkpoint
        return past

    async def lag(self) -> int:
        admin = await EventAdmin.open(self.log, self.store)
        return sum(lag.events for lag in await admin.lag())

    @classmethod
    async def open(cls, data_dir: Path) -> Outside:
        return cls(
            await SqliteEventLog.open(data_dir / LOG_FILE_NAME),
            await open_store(Settings(data_dir=data_dir)),  # its files as the platform routes them
        )

    async def close(self) -> None:
        await self.log.close()
        await self.store.close()


async def all_orders(platform: Platform, staff: Metadata) -> list[order_pb2.Order]:
    stub, found, token = orders_grpc.OrderServiceStub(platform.channel), [], ""
    while True:
        page = await stub.ListAllOrders(orders_pb.ListAllOrdersRequest(page_size=100, page_token=token), metadata=staff)
        found += list(page.orders)
        if not (token := page.next_page_token):
            return found


async def all_payments(platform: Platform, staff: Metadata) -> list[payment_pb2.Payment]:
    stub, found, token = payments_grpc.PaymentServiceStub(platform.channel), [], ""
    while True:
        request = payments_pb.ListAllPaymentsRequest(page_size=100, page_token=token)
        page = await stub.ListAllPayments(request, metadata=staff)
        found += list(page.payments)
        if not (token := page.next_page_token):
            return found


async def prepare(platform: Platform) -> tuple[str, list[Shopper]]:
    """A product with plenty of stock, and the shoppers (registered, with an address and a card)."""
    staff = platform.auth("staff", "staff-sam")
    sku = (
        (await catalog_grpc.CatalogServiceStub(platform.channel).ListProducts(catalog_pb.ListProductsRequest(limit=1)))
        .products[0]
        .id
    )
    await inventory_grpc.InventoryServiceStub(platform.channel).UpdateInventoryItem(
        inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=100_000, reason="drill"), metadata=staff
    )
    return sku, [await register(platform, f"crash-{n}") for n in range(SHOPPERS)]


async def a_round(platform: Platform, watcher: Outside, sku: str, shoppers: list[Shopper]) -> bool:
    """Pays a round of orders, then cancels half of them at once while paying more, and SIGKILLs
    the platform as soon as a group has handled events past its checkpoint. True when the dead
    platform's ledger shows it died in the middle of a batch."""
    for n in range(ORDERS_PER_ROUND):
        await pay_an_order(platform, shoppers[n % SHOPPERS], sku)
    cancellations = [
        cancel(platform, shopper, order_id)
        for shopper in shoppers
        for order_id in shopper.orders[-ORDERS_PER_ROUND // SHOPPERS :][::2]
    ]
    more = [pay_an_order(platform, shoppers[n % SHOPPERS], sku) for n in range(ORDERS_PER_ROUND // 2)]
    burst = asyncio.ensure_future(asyncio.gather(*cancellations, *more, return_exceptions=True))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        # Frozen, the platform's state holds still while it is read: killed right there if a group
        # is in the middle of a batch, else thawed to go on.
        platform.process.send_signal(signal.SIGSTOP)
        try:
            if await watcher.handled_past_checkpoint():
                break
        except StorageError as exc:
            # Frozen in the middle of a write, it holds the lock: look again once it moved on.
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        platform.process.send_signal(signal.SIGCONT)
        if burst.done() and not await watcher.lag():
            break  # everything was handled before the watcher caught a batch in flight
        await asyncio.sleep(0.002)
    platform.process.kill()
    platform.process.wait()
    await burst  # the calls in flight fail with the platform: what they committed stands
    await platform.channel.close()
    # With the process dead, the ledger says whether it died between effects and a checkpoint.
    return await watcher.handled_past_checkpoint() > 0


async def cancel_one_more(platform: Platform, shoppers: list[Shopper]) -> None:
    """After the restart, one more paid order cancelled: a kill that landed before any of the round's
    cancellations committed (analytics mid-batch on the first payments) must still leave refunds to
    check, and this one goes through the restarted payments group."""
    owners = {shopper.sub: shopper for shopper in shoppers}
    for order in await all_orders(platform, platform.auth("staff", "staff-sam")):
        if order.HasField("paid_at") and order.status != order_pb2.ORDER_STATUS_CANCELLED and order.user_id in owners:
            await cancel(platform, owners[order.user_id], order.id)
            return
    raise AssertionError("no paid order left to cancel after the restart")


async def check_exactly_once(platform: Platform, watcher: Outside) -> None:
    staff = platform.auth("staff", "staff-sam")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    settled = 0
    while settled < 3 and loop.time() < deadline:  # caught up, and staying so (refunds emit more)
        settled = settled + 1 if await watcher.lag() == 0 else 0
        await asyncio.sleep(0.2)
    assert settled == 3, "the consumers did not catch up after the restart"

    paid = [order for order in await all_orders(platform, staff) if order.HasField("paid_at")]
    every_payment = await all_payments(platform, staff)
    summary = await analytics_grpc.AnalyticsServiceStub(platform.channel).GetSalesSummary(
        analytics_pb.GetSalesSummaryRequest(), metadata=staff
    )
    # Every paid order counted once, every refund once.
    assert summary.total_orders == len(paid) >= ORDERS_PER_ROUND
    assert round(summary.total_revenue * 100) == sum(order.total_minor for order in paid)
    refunded = sum(payment.amount_refunded_minor for payment in every_payment)
    assert refunded > 0 and round(summary.refunds_total * 100) == refunded
    # No cancelled order refunded twice: one refund each, of exactly what was paid.
    cancelled = {order.id for order in paid if order.status == order_pb2.ORDER_STATUS_CANCELLED}
    assert cancelled
    payments = payments_grpc.PaymentServiceStub(platform.channel)
    for payment in every_payment:
        if payment.order_id not in cancelled:
            assert payment.amount_refunded_minor == 0
            continue
        assert payment.amount_refunded_minor == payment.amount_minor
        refunds = await payments.ListRefunds(payments_pb.ListRefundsRequest(payment_id=payment.id), metadata=staff)
        assert len(refunds.refunds) == 1


async def test_a_platform_killed_mid_batch_handles_every_event_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    platform = await start(data_dir)
    watcher = await Outside.open(data_dir)  # the platform created the files
    try:
        sku, shoppers = await prepare(platform)
        rounds = 1
        while not await a_round(platform, watcher, sku, shoppers):
            assert rounds < MAX_ROUNDS, f"no kill landed in the middle of a consumer's batch in {rounds} rounds"
            rounds += 1
            platform = await start(data_dir)

        platform = await start(data_dir)
        try:
            await cancel_one_more(platform, shoppers)
            await check_exactly_once(platform, watcher)
        finally:
            await platform.channel.close()
            assert stop_hph(platform.process) == 0
    finally:
        if platform.process.poll() is None:
            platform.process.kill()
            platform.process.wait()
        await watcher.close()
