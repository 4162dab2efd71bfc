"""Support ticket rules: every legal and illegal transition per actor, replies, the SLA clock, fields."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hph.runtime.errors import FailedPrecondition, Violations
from hph.services.tickets import rules
from hph.services.tickets.rules import Actor, Priority, SlaClock, Status

T0 = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)
S = Status

STAFF_EDGES = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.PENDING_CUSTOMER),
    (S.OPEN, S.ESCALATED),
    (S.IN_PROGRESS, S.PENDING_CUSTOMER),
    (S.IN_PROGRESS, S.ESCALATED),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.PENDING_CUSTOMER, S.IN_PROGRESS),
    (S.PENDING_CUSTOMER, S.ESCALATED),
    (S.PENDING_CUSTOMER, S.RESOLVED),
    (S.ESCALATED, S.IN_PROGRESS),
    (S.ESCALATED, S.PENDING_CUSTOMER),
    (S.ESCALATED, S.RESOLVED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
}
CUSTOMER_REPLY_EDGES = {(S.PENDING_CUSTOMER, S.IN_PROGRESS), (S.RESOLVED, S.IN_PROGRESS)}
STAFF_REPLY_EDGES = {(S.OPEN, S.IN_PROGRESS)}
LEGAL = {Actor.STAFF: STAFF_EDGES, Actor.CUSTOMER_REPLY: CUSTOMER_REPLY_EDGES, Actor.STAFF_REPLY: STAFF_REPLY_EDGES}
ALL_MOVES = [(c, t, a) for c, t in itertools.permutations(Status, 2) for a in Actor]


def test_the_table_is_exactly_the_documented_lifecycle() -> None:
    for actor, edges in LEGAL.items():
        assert {edge for edge, actors in rules.TRANSITIONS.items() if actor in actors} == edges, actor


@pytest.mark.parametrize(("current", "target", "actor"), ALL_MOVES, ids=[f"{c}->{t}-{a}" for c, t, a in ALL_MOVES])
def test_every_move_is_allowed_or_refused_as_illegal(current: Status, target: Status, actor: Actor) -> None:
    if (current, target) in LEGAL[actor]:
        rules.check_transition(current, target, actor, ticket_id="TKT-0000000000000001")
        return
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_transition(current, target, actor, ticket_id="TKT-0000000000000001")
    assert refused.value.reason == rules.ILLEGAL_TRANSITION
    assert refused.value.subject == "tickets/TKT-0000000000000001"
    assert refused.value.metadata == {"from": current.value, "to": target.value}


def test_refusals_say_where_the_ticket_can_go() -> None:
    with pytest.raises(FailedPrecondition, match="from open it can go to escalated, in_progress, pending_customer"):
        rules.check_transition(S.OPEN, S.RESOLVED, Actor.STAFF)
    with pytest.raises(FailedPrecondition, match="does not change any more"):
        rules.check_transition(S.CLOSED, S.IN_PROGRESS, Actor.STAFF)
    with pytest.raises(FailedPrecondition, match="no move is allowed"):
        rules.check_transition(S.OPEN, S.IN_PROGRESS, Actor.CUSTOMER_REPLY)


def test_closed_is_terminal_and_nothing_returns_to_open() -> None:
    assert not [edge for edge in rules.TRANSITIONS if edge[0] == S.CLOSED]
    assert not [edge for edge in rules.TRANSITIONS if edge[1] == S.OPEN]


@pytest.mark.parametrize(
    ("current", "actor", "expected"),
    [
        (S.OPEN, Actor.STAFF_REPLY, S.IN_PROGRESS),
        (S.IN_PROGRESS, Actor.STAFF_REPLY, S.IN_PROGRESS),
        (S.PENDING_CUSTOMER, Actor.STAFF_REPLY, S.PENDING_CUSTOMER),
        (S.ESCALATED, Actor.STAFF_REPLY, S.ESCALATED),
        (S.RESOLVED, Actor.STAFF_REPLY, S.RESOLVED),
        (S.OPEN, Actor.CUSTOMER_REPLY, S.OPEN),
        (S.IN_PROGRESS, Actor.CUSTOMER_REPLY, S.IN_PROGRESS),
        (S.PENDING_CUSTOMER, Actor.CUSTOMER_REPLY, S.IN_PROGRESS),
        (S.ESCALATED, Actor.CUSTOMER_REPLY, S.ESCALATED),
        (S.RESOLVED, Actor.CUSTOMER_REPLY, S.IN_PROGRESS),
        (S.OPEN, Actor.STAFF, S.OPEN),  # an internal note never moves a ticket
        (S.PENDING_CUSTOMER, Actor.STAFF, S.PENDING_CUSTOMER),
    ],
)
def test_where_a_reply_takes_a_ticket(current: Status, actor: Actor, expected: Status) -> None:
    assert rules.status_after_reply(current, actor) == expected


def test_every_reply_move_is_a_legal_edge_for_that_actor() -> None:
    for (actor, current), target in rules.REPLY_MOVES.items():
        rules.check_transition(current, target, actor)


@pytest.mark.parametrize("actor", list(Actor))
def test_a_closed_ticket_takes_no_messages(actor: Actor) -> None:
    with pytest.raises(FailedPrecondition) as refused:
        rules.status_after_reply(S.CLOSED, actor, ticket_id="TKT-0000000000000002")
    assert refused.value.reason == rules.ILLEGAL_TRANSITION
    with pytest.raises(FailedPrecondition):
        rules.require_changeable(S.CLOSED)
    for status in set(Status) - {S.CLOSED}:
        rules.require_changeable(status)


# --- SLA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("priority", list(Priority))
def test_due_times_follow_the_priority_and_the_pause(priority: Priority) -> None:
    target = rules.SLA_TARGETS[priority]
    first, resolution = rules.due_times(T0, priority, timedelta(hours=2))
    assert first == T0 + target.first_response
    assert resolution == T0 + target.resolution + timedelta(hours=2)


def test_more_urgent_priorities_have_tighter_targets_and_rank_higher() -> None:
    ordered = sorted(Priority, key=lambda p: rules.PRIORITY_RANK[p])
    assert ordered == [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
    for lower, higher in itertools.pairwise(ordered):
        assert rules.SLA_TARGETS[higher].first_response < rules.SLA_TARGETS[lower].first_response
        assert rules.SLA_TARGETS[higher].resolution < rules.SLA_TARGETS[lower].resolution


def test_paused_time_accumulates_and_never_goes_back() -> None:
    paused = rules.paused_after_leaving(timedelta(minutes=5), T0, T0 + timedelta(hours=1))
    assert paused == timedelta(hours=1, minutes=5)
    assert rules.paused_after_leaving(paused, T0, T0 - timedelta(seconds=1)) == paused


def _clock(**moments: datetime | None) -> SlaClock:
    return SlaClock(
        first_response_due_at=T0 + timedelta(hours=8), resolution_due_at=T0 + timedelta(hours=72), **moments
    )


def test_sla_breach_on_first_response() -> None:
    assert not rules.sla_breached(_clock(), T0 + timedelta(hours=7))
    assert rules.sla_breached(_clock(), T0 + timedelta(hours=9))  # still unanswered
    assert not rules.sla_breached(_clock(first_response_at=T0 + timedelta(hours=1)), T0 + timedelta(hours=9))
    assert rules.sla_breached(_clock(first_response_at=T0 + timedelta(hours=9)), T0 + timedelta(hours=10))


def test_sla_breach_on_resolution_with_the_pending_pause() -> None:
    answered = T0 + timedelta(hours=1)
    assert rules.sla_breached(_clock(first_response_at=answered), T0 + timedelta(hours=73))
    # Waiting on the customer since hour 2: the resolution clock is paused.
    waiting = _clock(first_response_at=answered, pending_since=T0 + timedelta(hours=2))
    assert not rules.sla_breached(waiting, T0 + timedelta(hours=200))
    # Resolved in time stays met forever; resolved late stays breached.
    assert not rules.sla_breached(
        _clock(first_response_at=answered, resolved_at=T0 + timedelta(hours=70)), T0 + timedelta(days=30)
    )
    assert rules.sla_breached(_clock(first_response_at=answered, resolved_at=T0 + timedelta(hours=80)), T0)


# --- fields ------------------------------------------------------------------------------------


def _fields(check: object, *args: object) -> dict[str, str]:
    violations = Violations()
    check(violations, *args)  # type: ignore[operator]
    return {v.field: v.description for v in violations.items}


def test_field_checks() -> None:
    assert rules.TICKET_ID.fullmatch(rules.new_ticket_id())
    assert _fields(rules.check_ticket_id, "TKT-0123456789ABCDEF") == {}
    assert "ticket_id" in _fields(rules.check_ticket_id, "")
    assert "ticket_id" in _fields(rules.check_ticket_id, "ORD-0123456789ABCDEF")
    assert "subject" in _fields(rules.check_subject, "   ")
    assert "subject" in _fields(rules.check_subject, "x" * 201)
    assert _fields(rules.check_subject, "Where is my parcel?") == {}
    assert "body" in _fields(rules.check_body, "x" * 5001)
    assert "body" in _fields(rules.check_body, "bell\x07")
    assert _fields(rules.check_user_id, "assignee_id", "") == {}
    assert _fields(rules.check_user_id, "assignee_id", "staff-sam") == {}
    assert "assignee_id" in _fields(rules.check_user_id, "assignee_id", "a/b")
    assert "assignee_id" in _fields(rules.check_user_id, "assignee_id", " sam")
    assert rules.message_id(7) == "msg-0007"


def test_a_conversation_has_limits() -> None:
    rules.check_room(rules.MAX_MESSAGES - 1, 0, "ok")
    with pytest.raises(FailedPrecondition) as full:
        rules.check_room(rules.MAX_MESSAGES, 0, "one more")
    assert full.value.reason == rules.TICKET_FULL
    with pytest.raises(FailedPrecondition):
        rules.check_room(1, rules.MAX_CONVERSATION_BYTES - 2, "héé")
