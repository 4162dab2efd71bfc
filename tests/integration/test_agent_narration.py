"""Agents narrate only on request: the reservation agent over real gRPC with the narrator pointed at a
local fake chat endpoint (a real HTTP server). Prose lands in `explanation.narration` only when the
caller sent `x-hph-narrate: true` and every number it cites is in the answer; the structured answer is
the same with or without it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from hph.agents.runtime import NARRATE_HEADER
from tests.support.fake_chat import FakeChat, Reply, fake_chat_server
from tests.support.platform_harness import Hub, running_hub
from tests.support.shoppers import staff

pytestmark = pytest.mark.integration

SKU = "JWL-0033"  # a demo product the shipped policy does not list: its answer is plain stock


@pytest.fixture
async def narrated(tmp_path: Path) -> AsyncIterator[tuple[Hub, FakeChat]]:
    async with fake_chat_server() as fake:
        settings = {
            "narrator_url": f"{fake.url}/v1",
            "narrator_model": "summary-model",
            "narrator_api_key": "sk-test",
            "narrator_deadline_ms": 2000,
        }
        services = ("catalog", "users", "inventory", "inventory-reservation-validation")
        async with running_hub(tmp_path / "data", services=services, seed=True, settings_overrides=settings) as hub:
            await inventory_grpc.InventoryServiceStub(hub.channel).UpdateInventoryItem(
                inventory_pb.UpdateInventoryItemRequest(sku=SKU, quantity_on_hand=7, reason="drill"),
                metadata=staff(hub),
            )
            yield hub, fake


async def validate(hub: Hub, *, narrate: bool) -> pb.ValidateReservationResponse:
    metadata = (*staff(hub), *(((NARRATE_HEADER, "true"),) if narrate else ()))
    return await pb_grpc.InventoryReservationValidationServiceStub(hub.channel).ValidateReservation(
        pb.ValidateReservationRequest(shopper_id="ava", lines=[pb.ReservationRequestLine(product_id=SKU, quantity=3)]),
        metadata=metadata,
    )


async def test_prose_citing_the_answers_numbers_is_added_when_asked(narrated: tuple[Hub, FakeChat]) -> None:
    hub, fake = narrated
    fake.reply = Reply("All 3 units can be held: 7 are on hand.")
    answer = await validate(hub, narrate=True)
    assert answer.explanation.narration == "All 3 units can be held: 7 are on hand."
    assert len(fake.requests) == 1 and SKU in str(fake.requests[0].body)  # the answer went to the model


async def test_prose_with_a_number_the_answer_lacks_is_dropped(narrated: tuple[Hub, FakeChat]) -> None:
    hub, fake = narrated
    # 9,999 appears nowhere in the answer (a small number could: the narrator counts the digits of
    # the answer's timestamps as present, so "40" passes whenever the clock reads :40).
    fake.reply = Reply("All 3 units can be held, and 9,999 more arrive on Friday.")
    answer = await validate(hub, narrate=True)
    assert answer.explanation.narration == ""
    assert answer.lines[0].allowed_quantity == 3  # the decision never depended on it


async def test_nobody_asked_so_the_model_is_not_called(narrated: tuple[Hub, FakeChat]) -> None:
    hub, fake = narrated
    plain = await validate(hub, narrate=False)
    assert plain.explanation.narration == "" and fake.requests == []
    fake.reply = Reply("All 3 units can be held.")
    asked = await validate(hub, narrate=True)
    # Same decision either way, up to the time it was computed.
    for answer in (plain, asked):
        answer.explanation.ClearField("freshness")
        answer.explanation.ClearField("narration")
    assert plain == asked
