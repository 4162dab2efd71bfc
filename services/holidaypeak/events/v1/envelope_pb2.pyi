import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.events.v1 import inventory_events_pb2 as _inventory_events_pb2
from holidaypeak.events.v1 import order_events_pb2 as _order_events_pb2
from holidaypeak.events.v1 import payment_events_pb2 as _payment_events_pb2
from holidaypeak.events.v1 import product_events_pb2 as _product_events_pb2
from holidaypeak.events.v1 import proposal_events_pb2 as _proposal_events_pb2
from holidaypeak.events.v1 import return_events_pb2 as _return_events_pb2
from holidaypeak.events.v1 import shipment_events_pb2 as _shipment_events_pb2
from holidaypeak.events.v1 import ticket_events_pb2 as _ticket_events_pb2
from holidaypeak.events.v1 import user_events_pb2 as _user_events_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Topic(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOPIC_UNSPECIFIED: _ClassVar[Topic]
    TOPIC_ORDER: _ClassVar[Topic]
    TOPIC_PAYMENT: _ClassVar[Topic]
    TOPIC_INVENTORY: _ClassVar[Topic]
    TOPIC_PRODUCT: _ClassVar[Topic]
    TOPIC_USER: _ClassVar[Topic]
    TOPIC_SHIPMENT: _ClassVar[Topic]
    TOPIC_RETURN: _ClassVar[Topic]
    TOPIC_TICKET: _ClassVar[Topic]
    TOPIC_PROPOSAL: _ClassVar[Topic]
TOPIC_UNSPECIFIED: Topic
TOPIC_ORDER: Topic
TOPIC_PAYMENT: Topic
TOPIC_INVENTORY: Topic
TOPIC_PRODUCT: Topic
TOPIC_USER: Topic
TOPIC_SHIPMENT: Topic
TOPIC_RETURN: Topic
TOPIC_TICKET: Topic
TOPIC_PROPOSAL: Topic

class EventEnvelope(_message.Message):
    __slots__ = ("event_id", "event_type", "schema_version", "source", "subject", "occurred_at", "correlation_id", "partition_key", "causation_id", "order_created", "order_paid", "order_cancelled", "order_status_changed", "payment_succeeded", "payment_failed", "refund_issued", "inventory_reserved", "inventory_released", "inventory_confirmed", "inventory_adjusted", "low_stock", "inventory_alert_raised", "inventory_alert_acknowledged", "inventory_alert_resolved", "product_created", "product_updated", "product_archived", "user_registered", "user_updated", "shipment_created", "shipment_status_changed", "shipment_delivered", "shipment_issue_raised", "return_requested", "return_approved", "return_rejected", "return_received", "return_restocked", "return_refunded", "ticket_created", "ticket_status_changed", "ticket_message_added", "ticket_assigned", "ticket_triaged", "proposal_submitted", "proposal_approved", "proposal_rejected", "proposal_superseded", "proposal_returned_to_review")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_KEY_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_CREATED_FIELD_NUMBER: _ClassVar[int]
    ORDER_PAID_FIELD_NUMBER: _ClassVar[int]
    ORDER_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FAILED_FIELD_NUMBER: _ClassVar[int]
    REFUND_ISSUED_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_RESERVED_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_RELEASED_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_CONFIRMED_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_ADJUSTED_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCK_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_ALERT_RAISED_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_ALERT_ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_ALERT_RESOLVED_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CREATED_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_UPDATED_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    USER_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    USER_UPDATED_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_CREATED_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_STATUS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_DELIVERED_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ISSUE_RAISED_FIELD_NUMBER: _ClassVar[int]
    RETURN_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    RETURN_APPROVED_FIELD_NUMBER: _ClassVar[int]
    RETURN_REJECTED_FIELD_NUMBER: _ClassVar[int]
    RETURN_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    RETURN_RESTOCKED_FIELD_NUMBER: _ClassVar[int]
    RETURN_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    TICKET_CREATED_FIELD_NUMBER: _ClassVar[int]
    TICKET_STATUS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    TICKET_MESSAGE_ADDED_FIELD_NUMBER: _ClassVar[int]
    TICKET_ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    TICKET_TRIAGED_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_SUBMITTED_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_APPROVED_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_REJECTED_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_RETURNED_TO_REVIEW_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    schema_version: int
    source: str
    subject: str
    occurred_at: _timestamp_pb2.Timestamp
    correlation_id: str
    partition_key: str
    causation_id: str
    order_created: _order_events_pb2.OrderCreated
    order_paid: _order_events_pb2.OrderPaid
    order_cancelled: _order_events_pb2.OrderCancelled
    order_status_changed: _order_events_pb2.OrderStatusChanged
    payment_succeeded: _payment_events_pb2.PaymentSucceeded
    payment_failed: _payment_events_pb2.PaymentFailed
    refund_issued: _payment_events_pb2.RefundIssued
    inventory_reserved: _inventory_events_pb2.InventoryReserved
    inventory_released: _inventory_events_pb2.InventoryReleased
    inventory_confirmed: _inventory_events_pb2.InventoryConfirmed
    inventory_adjusted: _inventory_events_pb2.InventoryAdjusted
    low_stock: _inventory_events_pb2.LowStock
    inventory_alert_raised: _inventory_events_pb2.InventoryAlertRaised
    inventory_alert_acknowledged: _inventory_events_pb2.InventoryAlertAcknowledged
    inventory_alert_resolved: _inventory_events_pb2.InventoryAlertResolved
    product_created: _product_events_pb2.ProductCreated
    product_updated: _product_events_pb2.ProductUpdated
    product_archived: _product_events_pb2.ProductArchived
    user_registered: _user_events_pb2.UserRegistered
    user_updated: _user_events_pb2.UserUpdated
    shipment_created: _shipment_events_pb2.ShipmentCreated
    shipment_status_changed: _shipment_events_pb2.ShipmentStatusChanged
    shipment_delivered: _shipment_events_pb2.ShipmentDelivered
    shipment_issue_raised: _shipment_events_pb2.ShipmentIssueRaised
    return_requested: _return_events_pb2.ReturnRequested
    return_approved: _return_events_pb2.ReturnApproved
    return_rejected: _return_events_pb2.ReturnRejected
    return_received: _return_events_pb2.ReturnReceived
    return_restocked: _return_events_pb2.ReturnRestocked
    return_refunded: _return_events_pb2.ReturnRefunded
    ticket_created: _ticket_events_pb2.TicketCreated
    ticket_status_changed: _ticket_events_pb2.TicketStatusChanged
    ticket_message_added: _ticket_events_pb2.TicketMessageAdded
    ticket_assigned: _ticket_events_pb2.TicketAssigned
    ticket_triaged: _ticket_events_pb2.TicketTriaged
    proposal_submitted: _proposal_events_pb2.ProposalSubmitted
    proposal_approved: _proposal_events_pb2.ProposalApproved
    proposal_rejected: _proposal_events_pb2.ProposalRejected
    proposal_superseded: _proposal_events_pb2.ProposalSuperseded
    proposal_returned_to_review: _proposal_events_pb2.ProposalReturnedToReview
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., schema_version: _Optional[int] = ..., source: _Optional[str] = ..., subject: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., correlation_id: _Optional[str] = ..., partition_key: _Optional[str] = ..., causation_id: _Optional[str] = ..., order_created: _Optional[_Union[_order_events_pb2.OrderCreated, _Mapping]] = ..., order_paid: _Optional[_Union[_order_events_pb2.OrderPaid, _Mapping]] = ..., order_cancelled: _Optional[_Union[_order_events_pb2.OrderCancelled, _Mapping]] = ..., order_status_changed: _Optional[_Union[_order_events_pb2.OrderStatusChanged, _Mapping]] = ..., payment_succeeded: _Optional[_Union[_payment_events_pb2.PaymentSucceeded, _Mapping]] = ..., payment_failed: _Optional[_Union[_payment_events_pb2.PaymentFailed, _Mapping]] = ..., refund_issued: _Optional[_Union[_payment_events_pb2.RefundIssued, _Mapping]] = ..., inventory_reserved: _Optional[_Union[_inventory_events_pb2.InventoryReserved, _Mapping]] = ..., inventory_released: _Optional[_Union[_inventory_events_pb2.InventoryReleased, _Mapping]] = ..., inventory_confirmed: _Optional[_Union[_inventory_events_pb2.InventoryConfirmed, _Mapping]] = ..., inventory_adjusted: _Optional[_Union[_inventory_events_pb2.InventoryAdjusted, _Mapping]] = ..., low_stock: _Optional[_Union[_inventory_events_pb2.LowStock, _Mapping]] = ..., inventory_alert_raised: _Optional[_Union[_inventory_events_pb2.InventoryAlertRaised, _Mapping]] = ..., inventory_alert_acknowledged: _Optional[_Union[_inventory_events_pb2.InventoryAlertAcknowledged, _Mapping]] = ..., inventory_alert_resolved: _Optional[_Union[_inventory_events_pb2.InventoryAlertResolved, _Mapping]] = ..., product_created: _Optional[_Union[_product_events_pb2.ProductCreated, _Mapping]] = ..., product_updated: _Optional[_Union[_product_events_pb2.ProductUpdated, _Mapping]] = ..., product_archived: _Optional[_Union[_product_events_pb2.ProductArchived, _Mapping]] = ..., user_registered: _Optional[_Union[_user_events_pb2.UserRegistered, _Mapping]] = ..., user_updated: _Optional[_Union[_user_events_pb2.UserUpdated, _Mapping]] = ..., shipment_created: _Optional[_Union[_shipment_events_pb2.ShipmentCreated, _Mapping]] = ..., shipment_status_changed: _Optional[_Union[_shipment_events_pb2.ShipmentStatusChanged, _Mapping]] = ..., shipment_delivered: _Optional[_Union[_shipment_events_pb2.ShipmentDelivered, _Mapping]] = ..., shipment_issue_raised: _Optional[_Union[_shipment_events_pb2.ShipmentIssueRaised, _Mapping]] = ..., return_requested: _Optional[_Union[_return_events_pb2.ReturnRequested, _Mapping]] = ..., return_approved: _Optional[_Union[_return_events_pb2.ReturnApproved, _Mapping]] = ..., return_rejected: _Optional[_Union[_return_events_pb2.ReturnRejected, _Mapping]] = ..., return_received: _Optional[_Union[_return_events_pb2.ReturnReceived, _Mapping]] = ..., return_restocked: _Optional[_Union[_return_events_pb2.ReturnRestocked, _Mapping]] = ..., return_refunded: _Optional[_Union[_return_events_pb2.ReturnRefunded, _Mapping]] = ..., ticket_created: _Optional[_Union[_ticket_events_pb2.TicketCreated, _Mapping]] = ..., ticket_status_changed: _Optional[_Union[_ticket_events_pb2.TicketStatusChanged, _Mapping]] = ..., ticket_message_added: _Optional[_Union[_ticket_events_pb2.TicketMessageAdded, _Mapping]] = ..., ticket_assigned: _Optional[_Union[_ticket_events_pb2.TicketAssigned, _Mapping]] = ..., ticket_triaged: _Optional[_Union[_ticket_events_pb2.TicketTriaged, _Mapping]] = ..., proposal_submitted: _Optional[_Union[_proposal_events_pb2.ProposalSubmitted, _Mapping]] = ..., proposal_approved: _Optional[_Union[_proposal_events_pb2.ProposalApproved, _Mapping]] = ..., proposal_rejected: _Optional[_Union[_proposal_events_pb2.ProposalRejected, _Mapping]] = ..., proposal_superseded: _Optional[_Union[_proposal_events_pb2.ProposalSuperseded, _Mapping]] = ..., proposal_returned_to_review: _Optional[_Union[_proposal_events_pb2.ProposalReturnedToReview, _Mapping]] = ...) -> None: ...
