"""Agents are hosted like services: one registry, named by the agents table, chosen with --agents."""

from __future__ import annotations

import pytest

from hph.host.app import AGENT_NAMES, SERVICE_NAMES, agent, select_services
from hph.host.cli import main

pytestmark = pytest.mark.unit


def test_an_agent_spec_is_named_after_its_row_in_the_agents_table() -> None:
    spec = agent("inventory-reservation-validation")
    assert spec.full_name == "holidaypeak.agents.v1.InventoryReservationValidationService"
    assert spec.proto_module == "inventory_reservation_validation_service_pb2"
    assert spec.is_agent
    assert not select_services(["catalog"])[0].is_agent


def test_selecting_an_unknown_name_says_what_exists() -> None:
    with pytest.raises(ValueError, match="unknown service\\(s\\) or agent\\(s\\) nope; choose from catalog"):
        select_services(["catalog", "nope"])


def test_agent_and_service_names_never_collide() -> None:
    assert not set(AGENT_NAMES) & set(SERVICE_NAMES)


def test_serve_without_services_or_agents_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    assert "needs --services and/or --agents" in capsys.readouterr().err
