"""The crm-support-assistance decision core on hand-made tickets: the tone from VADER with the
support lexicon, each priority driver raising the suggestion, the actions following the facts, and a
reply draft whose every fact comes from the brief's data (never invented); the sentiment
evaluation holds its floor."""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.crm_activity.records import (
    Activity,
    LineRecord,
    OrderRecord,
    ReturnRecord,
    ReturnStage,
    Stage,
    TicketRecord,
)
from hph.agents.crm_support_assistance import evaluation, templates
from hph.agents.crm_support_assistance.brief import (
    HIGH,
    LOW,
    NORMAL,
    URGENT,
    Brief,
    ShipmentFacts,
    TicketFacts,
    build_brief,
)
from hph.agents.crm_support_assistance.sentiment import Label, ToneScorer, shipped_scorer
from hph.host import evaluate

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 10, 15, tzinfo=UTC)
CALM = "Hello, I hope you are well. Could you tell me when my order will arrive?"
ANGRY = "This is the third time I write. The parcel never came and nobody answers. Absolutely unacceptable!"


def order(order_id: str, days_ago: int, total: int = 4_599, stage: Stage = Stage.SHIPPED) -> OrderRecord:
    return OrderRecord(
        order_id, NOW - timedelta(days=days_ago), total, "USD", (LineRecord("ORN-1", "ornaments", 2),), stage=stage
    )


ORDERS = (order("ord-7", 3), order("ord-5", 20, stage=Stage.DELIVERED), order("ord-2", 60, stage=Stage.DELIVERED))
ACTIVITY = Activity("ava", orders=ORDERS, tickets=(TicketRecord("tk-1", "ord-7", NOW, status=1),))


def ticket(text: str = CALM, **changes: object) -> TicketFacts:
    base = TicketFacts(
        ticket_id="tk-1",
        user_id="ava",
        subject="Where is my parcel",
        category=2,
        status=1,
        priority=NORMAL,
        order_id="ord-7",
        customer_text=text,
        customer_name="Ava Reyes",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def parcel(**changes: object) -> ShipmentFacts:
    base = ShipmentFacts(
        "shp-9",
        "ord-7",
        status=3,
        carrier="ups",
        tracking_number="1Z999AA10123456784",
        estimated_delivery_at=NOW + timedelta(days=2),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def brief_of(
    facts: TicketFacts | None = None,
    shipments: tuple[ShipmentFacts, ...] = (),
    activity: Activity = ACTIVITY,
) -> Brief:
    facts = facts or ticket()
    return build_brief(facts, activity, shipments, shipped_scorer().score(facts.customer_text), NOW)


def test_the_tone_of_support_texts() -> None:
    scorer = shipped_scorer()
    assert scorer.score(ANGRY).label == Label.NEGATIVE and scorer.score(ANGRY).compound <= -0.5
    assert scorer.score(CALM).label == Label.NEUTRAL  # VADER's defaults call the polite question positive
    assert ToneScorer(adjusted=False).score(CALM).label == Label.POSITIVE
    assert scorer.score("Thank you so much, the lights are wonderful!").label == Label.POSITIVE
    assert scorer.score("My order is stuck and the parcel is missing.").label == Label.NEGATIVE


def test_a_calm_question_about_a_moving_parcel_is_normal_and_gets_the_tracking_link() -> None:
    answer = brief_of(shipments=(parcel(),))
    assert answer.suggested_priority == NORMAL
    assert [a.code for a in answer.actions] == ["resend_tracking_link"]
    assert answer.actions[0].target_id == "shp-9"
    assert answer.reply.template_id == "parcel_moving"


def test_each_driver_raises_the_suggested_priority() -> None:
    points = {d.name: d for d in brief_of(ticket(ANGRY), (parcel(status=6),)).drivers}
    assert points["tone"].contribution == 2 and points["shipment_problem"].contribution == 2
    assert brief_of(ticket(ANGRY), (parcel(status=6),)).suggested_priority == HIGH  # 4 points
    assert brief_of(ticket(ANGRY, sla_breached=True), (parcel(status=6),)).suggested_priority == URGENT
    overdue = parcel(estimated_delivery_at=NOW - timedelta(days=1))
    assert brief_of(shipments=(overdue,)).actions[0].code == "open_carrier_trace"
    payment = brief_of(ticket(category=4)).drivers
    assert {d.name: d.contribution for d in payment}["payment_ticket"] == 2
    rich = replace(ACTIVITY, orders=(order("ord-7", 3, total=25_000), *ORDERS[1:]))
    assert {d.name: d.contribution for d in brief_of(activity=rich).drivers}["order_value"] == 1
    other = replace(ACTIVITY, tickets=(*ACTIVITY.tickets, TicketRecord("tk-0", "", NOW, status=2)))
    assert brief_of(activity=other).other_open_tickets == 1
    assert {d.name: d.contribution for d in brief_of(activity=other).drivers}["other_open_tickets"] == 1


def test_a_happy_customer_with_nothing_pressing_is_low() -> None:
    happy = ticket("Thank you so much, the lights are wonderful and arrived early!")
    assert brief_of(happy, (parcel(status=5, delivered_at=NOW),)).suggested_priority == LOW


def test_the_sla_due_soon_puts_reply_now_first() -> None:
    soon = ticket(first_response_due_at=NOW + timedelta(hours=1))
    assert brief_of(soon, (parcel(),)).actions[0].code == "reply_now"
    answered = replace(soon, first_response_at=NOW - timedelta(minutes=5))
    assert brief_of(answered, (parcel(),)).actions[0].code != "reply_now"


def test_returns_in_context_give_their_actions() -> None:
    received = ReturnRecord("ret-3", "ord-7", NOW - timedelta(days=4), 1, stage=ReturnStage.RECEIVED)
    answer = brief_of(ticket(category=3), activity=replace(ACTIVITY, returns=(received,)))
    assert ("issue_refund", "ret-3") in [(a.code, a.target_id) for a in answer.actions]
    assert answer.reply.template_id == "return_in_progress"
    assert "ret-3" in answer.reply.body and "refund being prepared" in answer.reply.body


def test_the_context_shows_the_tickets_order_even_when_older_than_the_newest_five() -> None:
    many = tuple(order(f"new-{i}", i) for i in range(1, 7))
    answer = brief_of(ticket(order_id="ord-2"), activity=replace(ACTIVITY, orders=(*many, ORDERS[2])))
    assert answer.orders[0].order_id == "ord-2" and len(answer.orders) == 5


FACT_TOKEN = re.compile(r"[\w.-]*\d[\w.-]*")


def drafted_facts(body: str) -> set[str]:
    """Every token of the draft with a digit in it: ids, amounts, dates, tracking numbers."""
    return set(FACT_TOKEN.findall(body))


@pytest.mark.parametrize(
    "case",
    [
        "moving",
        "exception",
        "late",
        "return",
        "payment",
        "no_order",
        "pending",
    ],
)
def test_every_fact_in_the_draft_comes_from_the_data(case: str) -> None:
    facts = ticket(ANGRY if case in ("exception", "late") else CALM)
    shipments: tuple[ShipmentFacts, ...] = (parcel(),)
    activity = ACTIVITY
    if case == "exception":
        shipments = (parcel(status=6, estimated_delivery_at=NOW - timedelta(days=1)),)
    elif case == "late":
        shipments = (parcel(status=5, delivered_at=NOW, estimated_delivery_at=NOW - timedelta(days=2)),)
    elif case == "return":
        activity = replace(ACTIVITY, returns=(ReturnRecord("ret-3", "ord-7", NOW, 1, stage=ReturnStage.APPROVED),))
    elif case == "payment":
        facts, shipments = ticket(category=4), ()
    elif case == "no_order":
        facts, activity, shipments = ticket(order_id=""), Activity("ava"), ()
    elif case == "pending":
        activity = replace(ACTIVITY, orders=(order("ord-7", 0, stage=Stage.PENDING),))
        shipments = ()
    answer = brief_of(facts, shipments, activity)

    known: set[str] = {"Ava"}
    for o in answer.orders:
        known |= {o.order_id, f"{o.total_minor / 100:.2f}", o.currency_code}
    for s in answer.shipments:
        known |= {s.shipment_id, s.carrier.upper(), s.tracking_number}
        if s.estimated_delivery_at is not None:
            known |= set(s.estimated_delivery_at.strftime("%d %B %Y").split())
    known |= {r.return_id for r in answer.returns}
    invented = {token.rstrip(".,") for token in drafted_facts(answer.reply.body)} - known
    assert invented == set(), f"{case}: facts not in the data: {invented}\n{answer.reply.body}"
    for name, value in answer.reply.facts.items():
        assert value in answer.reply.body, name
    assert answer.reply.body.startswith("Hi Ava,")
    template = next(t for t in templates.TEMPLATES if t.template_id == answer.reply.template_id)
    assert not any(ch.isdigit() for ch in template.text), "templates hold no facts of their own"


def test_a_sentence_whose_facts_are_unknown_is_left_out_not_guessed() -> None:
    answer = brief_of(shipments=(parcel(tracking_number="", estimated_delivery_at=None),))
    assert "tracking number" not in answer.reply.body and "estimate" not in answer.reply.body
    assert "ord-7" in answer.reply.body and "UPS" in answer.reply.body


def test_the_sentiment_evaluation_holds_its_floor_and_beats_vaders_defaults() -> None:
    shipped, defaults = evaluation.evaluate_both()
    assert len(shipped.outcomes) >= 80
    assert {case.label for case in evaluation.load_cases()} == set(evaluation.LABELS)
    assert evaluation.below_floor(shipped) == [], evaluation.render((shipped, defaults), per_case=True)
    assert shipped.accuracy > defaults.accuracy
    assert evaluation.below_floor(replace(shipped, outcomes=defaults.outcomes)) != []  # the floor can fail


def test_hph_eval_sentiment_reports_both_scorers_and_exits_0_above_the_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args(["sentiment", "--queries"])) == 0
    out = capsys.readouterr().out
    assert "VADER defaults" in out and "floor: accuracy >= 0.78" in out
