"""The consumer framework: consumer groups over the durable event log (hph.runtime.eventlog).

Operator API (stable; `hph events` builds on it): `EventAdmin` for lag, dead letters
(`dead_letters`, `dead_letter`, `replay_dead_letter`) and `reset` (replay a group from the earliest
event or a time), over the log and the storage port; `DeadLetterStore`, `HandledLedger` and
`GroupRegistry` are the durable state it reads and writes.
"""

from hph.runtime.consumers.admin import EventAdmin, GroupLag, UnknownGroup, group_lag, reset_group
from hph.runtime.consumers.dead_letters import (
    DEAD_LETTERS,
    DeadLetter,
    DeadLetterStatus,
    DeadLetterStore,
    UnknownDeadLetter,
    dead_letter_id,
)
from hph.runtime.consumers.framework import EventConsumers
from hph.runtime.consumers.groups import GROUPS, GroupRecord, GroupRegistry, ResetRequest
from hph.runtime.consumers.ledger import (
    HANDLED_MARK_KIND,
    LEDGER,
    NOT_HANDLED_MARK,
    HandledLedger,
    handled_mark_op,
    has_handled_mark,
)
from hph.runtime.consumers.retention import RetentionSweeper
from hph.runtime.consumers.retry import RetryPolicy
from hph.runtime.consumers.runner import ConsumerSettings
from hph.runtime.consumers.subscriptions import (
    ConsumerGroup,
    Delivery,
    DeliveryHandler,
    Handler,
    Subscription,
    envelope_handler,
)

# The containers the framework keeps in the storage port; the host creates them with the platform's.
CONTAINERS = (GROUPS, LEDGER, DEAD_LETTERS)

__all__ = [
    "CONTAINERS",
    "DEAD_LETTERS",
    "GROUPS",
    "HANDLED_MARK_KIND",
    "LEDGER",
    "NOT_HANDLED_MARK",
    "ConsumerGroup",
    "ConsumerSettings",
    "DeadLetter",
    "DeadLetterStatus",
    "DeadLetterStore",
    "Delivery",
    "DeliveryHandler",
    "EventAdmin",
    "EventConsumers",
    "GroupLag",
    "GroupRecord",
    "GroupRegistry",
    "HandledLedger",
    "Handler",
    "ResetRequest",
    "RetentionSweeper",
    "RetryPolicy",
    "Subscription",
    "UnknownDeadLetter",
    "UnknownGroup",
    "dead_letter_id",
    "envelope_handler",
    "group_lag",
    "handled_mark_op",
    "has_handled_mark",
    "reset_group",
]
