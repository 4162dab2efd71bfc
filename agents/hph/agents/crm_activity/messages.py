"""The agents/v1 messages the CRM agents build from the projection's records (Money, OrderSummary)."""

from __future__ import annotations

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.commerce.v1 import order_pb2
from hph.agents.crm_activity.records import OrderRecord, Stage
from hph.runtime import money
from hph.runtime.clock import to_timestamp

STAGE_TO_STATUS = {
    Stage.UNKNOWN: order_pb2.ORDER_STATUS_UNSPECIFIED,
    Stage.PENDING: order_pb2.ORDER_STATUS_PENDING,
    Stage.PAID: order_pb2.ORDER_STATUS_PAID,
    Stage.FULFILLING: order_pb2.ORDER_STATUS_FULFILLING,
    Stage.SHIPPED: order_pb2.ORDER_STATUS_SHIPPED,
    Stage.DELIVERED: order_pb2.ORDER_STATUS_DELIVERED,
    Stage.PARTIALLY_RETURNED: order_pb2.ORDER_STATUS_PARTIALLY_RETURNED,
    Stage.RETURNED: order_pb2.ORDER_STATUS_RETURNED,
}


def money_message(minor: int, currency: str) -> agent_types_pb2.Money:
    return agent_types_pb2.Money(
        currency_code=currency, amount_minor=minor, amount=money.to_major(minor, currency) if currency else 0.0
    )


def order_status(order: OrderRecord) -> order_pb2.OrderStatus:
    return order_pb2.ORDER_STATUS_CANCELLED if order.cancelled else STAGE_TO_STATUS[order.stage]


def order_summary(order: OrderRecord) -> agent_types_pb2.OrderSummary:
    return agent_types_pb2.OrderSummary(
        order_id=order.order_id,
        status=order_status(order),
        total=money_message(order.total_minor, order.currency_code),
        item_count=order.units,
        placed_at=to_timestamp(order.placed_at),
    )
