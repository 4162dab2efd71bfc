"""The consumer framework: consumer groups over the durable event log (hph.runtime.eventlog), the
one way every service and agent consumes events.

Declaring a subscription (in a service's or agent's factory, on `deps.bus`, an `EventConsumers`):

    # 1. The bus API: every event of a topic, handler(envelope). Kept for code written against it;
    #    several calls with one group name make one group over several topics.
    deps.bus.subscribe("order-events", "fulfilment", handle_envelope)

    # 2. The declarative API: a group, its subscriptions (topic, event types, handler(delivery)).
    deps.bus.declare(
        ConsumerGroup(
            "analytics",
            (
                Subscription.to("order-events", on_order_paid, OrderPaid),
                Subscription.to("payment-events", on_refund, RefundIssued),
            ),
            start=Position.earliest(),  # or Position.latest() / Position.since(t), for a new group
        )
    )

A `Delivery` carries the logged event (topic, partition, sequence, enqueued time, envelope, typed
`payload`), the attempt number, and the same-batch idempotency helpers (`handled_mark`,
`already_handled`, `commit`). The host starts the declared groups after the server (in the process
that runs the background jobs) and stops them before the store closes.

What the framework guarantees, on every log adapter:

- At least once, in order per partition: each owned partition has one worker handling its events
  one after another; partitions run concurrently. A checkpoint (per partition, in the log's
  checkpoint store) is written after a batch's effects, ledger marks and dead letters are stored,
  never before.
- Idempotent handling, durable across restarts (`ledger`): the group's ledger skips an event it
  handled before (a redelivery after a crash, or an event the relay appended twice); a handler whose
  effect is one storage batch can commit its mark in that batch for exactly-once effects.
- Bounded retries with jittered, doubling backoff and a deadline per attempt (`retry`); then the event
  is parked in the dead-letter store with the reason, the attempts and its original position
  (`dead_letters`), and the partition moves on.
- Replay: a dead letter asked to be replayed is re-delivered by the consumer owning its partition
  (polled every second); `reset` replays a group from the earliest retained event or a time (to
  rebuild a projection), followed by running consumers before their next batch.
- Lag per group and partition (`lag`, the log's figure), logged every minute as "consumer lag".
- Several consumers of a group (Redis) share its partitions by leases and take over a dead one's
  partitions and pending events (`ownership`, `sources`); the embedded log has one consumer.
- Per-replica groups (`ConsumerGroup(..., per_replica=True)`), for projections kept in process
  memory: every process hosting the declaration (every worker, not only the background one) reads
  EVERY partition under its own name `<group>.r-<random>`, from the log's end as of `add` (or its
  start); its ledger is in memory, a failing event is logged and skipped, and its checkpoints and
  registry record are removed at stop, or swept by another reader once its heartbeat expired.
  `hph events lag` lists one set of rows per live process; `reset` refuses it (restart instead).

`wait_until_caught_up()` returns once every group running here has handled what was appended before
the call: tests and orderly shutdowns use it instead of sleeping.

Operator API (stable; `hph events` builds on it): `EventAdmin` for topics, groups, lag, dead
letters (`dead_letters`, `dead_letter`, `replay_dead_letter`, `replay_dead_letters`) and `reset`,
over the log and the storage port from any process; `DeadLetterStore`, `HandledLedger` and
`GroupRegistry` are the durable state it reads and writes, in the storage containers of `CONTAINERS`.

Modules: `subscriptions` (declarations, Delivery), `framework` (EventConsumers), `runner` (workers),
`sources` (reading a partition), `ownership` (who handles which partition), `retry`, `ledger`,
`dead_letters`, `groups` (registry and resets), `admin` (operator API), `retention` (trimming).
"""

from hph.runtime.consumers.admin import EventAdmin, GroupLag, PerReplicaGroup, UnknownGroup, group_lag, reset_group
from hph.runtime.consumers.dead_letters import (
    DEAD_LETTERS,
    DeadLetter,
    DeadLetterStatus,
    DeadLetterStore,
    UnknownDeadLetter,
    dead_letter_id,
)
from hph.runtime.consumers.framework import EventConsumers
from hph.runtime.consumers.groups import GROUPS, GroupRecord, GroupRegistry, ReplicaRecord, ResetRequest
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
    "PerReplicaGroup",
    "ReplicaRecord",
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
