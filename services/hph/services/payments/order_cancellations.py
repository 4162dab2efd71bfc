"""Refunds paid orders that were cancelled: the consumer group "payments", OrderCancelled events of
topic "order-events" (`consumer_group`).

OrderCancelled with `previous_status` PAID (or a `refund_minor` above 0) is the order service's
request for its money back. The refund's idempotency key is derived from the order id, so a
redelivered event, or a crash between refunding and the ledger mark (the window the consumer
framework's ledger leaves open), refunds once.
"""

from __future__ import annotations

import logging

from holidaypeak.events.v1 import order_events_pb2
from hph.runtime.consumers import ConsumerGroup, Delivery, Subscription
from hph.runtime.errors import FailedPrecondition
from hph.services.payments import rules
from hph.services.payments.ledger import PaymentLedger
from hph.services.payments.refunds import Refunder

log = logging.getLogger("hph.payments")

TOPIC = "order-events"
GROUP = "payments"
REASON_PREFIX = "order cancelled"


def refund_key(order_id: str) -> str:
    return f"order-cancelled.{order_id}"


class CancelledOrderRefunds:
    def __init__(self, ledger: PaymentLedger, refunder: Refunder) -> None:
        self._ledger = ledger
        self._refunder = refunder

    def consumer_group(self) -> ConsumerGroup:
        return ConsumerGroup(GROUP, (Subscription.to(TOPIC, self.handle, order_events_pb2.OrderCancelled),))

    async def handle(self, delivery: Delivery) -> None:
        cancelled = delivery.envelope.order_cancelled
        if cancelled.previous_status != order_events_pb2.ORDER_STATUS_PAID and cancelled.refund_minor <= 0:
            return
        payment = await self._ledger.captured_for_order(cancelled.user_id, cancelled.order_id)
        if payment is None:
            log.warning("order %s was cancelled after payment, but no captured payment is known", cancelled.order_id)
            return
        # The event's amount when it is less than what remains, else "everything" (0): both stay the
        # same on a redelivery, so the replay matches the refund the first delivery made.
        partial = 0 < cancelled.refund_minor < rules.refundable_minor(payment)
        reason = f"{REASON_PREFIX}: {cancelled.reason}" if cancelled.reason else REASON_PREFIX
        try:
            await self._refunder.refund(
                payment,
                amount_minor=cancelled.refund_minor if partial else 0,
                reason=reason[: rules.REASON_MAX],
                return_id="",
                idempotency_key=refund_key(cancelled.order_id),
                requested_by=cancelled.actor_id or "platform",
            )
        except FailedPrecondition as exc:
            log.info("order %s: nothing left to refund (%s)", cancelled.order_id, exc.message)
