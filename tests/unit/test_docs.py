"""The generated reference docs are current, and the generator fills exactly its regions."""

from __future__ import annotations

import pytest

from hph.host import docgen


def test_every_generated_region_in_the_repository_is_current() -> None:
    assert docgen.stale_files() == [], "run `hph docs` and commit the result"


def test_a_region_is_rewritten_and_the_prose_around_it_kept() -> None:
    text = "intro\n<!-- generated: one -->\nold\n<!-- end generated: one -->\noutro\n"
    assert docgen.render(text, {"one": lambda: "new\n"}) == (
        "intro\n<!-- generated: one -->\nnew\n<!-- end generated: one -->\noutro\n"
    )


def test_an_unknown_region_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown generated region 'two'"):
        docgen.render("<!-- generated: two -->\n<!-- end generated: two -->", {})


def test_every_setting_is_documented_with_its_variable_and_default() -> None:
    table = docgen.configuration_table()
    assert "| `HPH_GRPC_PORT` | `50051` | gRPC port; 0 picks a free one. |" in table
    assert "| `HPH_DEV_ISSUER_ENABLED` | `true` |" in table
    assert all(comment for comment in docgen.setting_comments().values())


def test_every_rest_route_is_listed_with_its_role() -> None:
    table = docgen.rest_routes_table(docgen.load_descriptor_set())
    assert "| GET | `/api/products` | anon | `CatalogService.ListProducts` |" in table
    assert "| GET | `/api/orders/{order_id}` | customer (own; staff any) | `OrderService.GetOrder` |" in table


def test_every_events_command_is_listed_with_its_synopsis_and_help() -> None:
    table = docgen.events_commands_table()
    assert "| `hph events lag [--group GROUP] [--topic TOPIC] [--exit-code] [--json]` |" in table
    assert "`hph events tail [-f] [--from earliest\\|latest\\|TIME]" in table  # a pipe would end the cell
    commands = [row.split("`")[1].split(" [")[0].split(" --")[0] for row in table.splitlines()[2:]]
    assert commands == [
        "hph events topics",
        "hph events tail",
        "hph events lag",
        "hph events dlq list",
        "hph events dlq show",
        "hph events dlq replay",
        "hph events replay",
    ]
    assert "--data-dir" not in table  # every command takes it; the page says so once
