"""The published contracts (`protos/baseline.binpb`) and what `hph contracts baseline` reports."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from hph.host.codegen import DESCRIPTOR_SET_NAME, GENERATED_PACKAGE, repo_root
from hph.host.contracts import BASELINE, Changes, changes, read_descriptor_set


def _contracts(*, with_new_field: bool = False, with_new_value: bool = False) -> descriptor_pb2.FileDescriptorSet:
    """A one-file descriptor set: a service, a message with a nested enum, a top-level enum."""
    files = descriptor_pb2.FileDescriptorSet()
    file = files.file.add(name="shop/v1/shop.proto", package="shop.v1", syntax="proto3")
    service = file.service.add(name="ShopService")
    service.method.add(name="GetItem", input_type=".shop.v1.Item", output_type=".shop.v1.Item")
    item = file.message_type.add(name="Item")
    item.field.add(name="id", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING)
    if with_new_field:
        item.field.add(name="price_minor", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64)
    kind = item.enum_type.add(name="Kind")
    kind.value.add(name="KIND_UNSPECIFIED", number=0)
    status = file.enum_type.add(name="Status")
    status.value.add(name="STATUS_UNSPECIFIED", number=0)
    if with_new_value:
        status.value.add(name="STATUS_ARCHIVED", number=1)
    return files


def test_the_summary_names_an_added_field_and_an_added_enum_value() -> None:
    found = changes(_contracts(), _contracts(with_new_field=True, with_new_value=True))
    assert found == Changes(
        added=("enum value shop.v1.Status.STATUS_ARCHIVED = 1", "field shop.v1.Item.price_minor = 2"), removed=()
    )
    assert found.summary() == (
        "added (2):\n  + enum value shop.v1.Status.STATUS_ARCHIVED = 1\n  + field shop.v1.Item.price_minor = 2"
    )


def test_the_summary_names_what_went_away_and_nothing_when_nothing_changed() -> None:
    assert changes(_contracts(with_new_field=True), _contracts()).removed == ("field shop.v1.Item.price_minor = 2",)
    unchanged = changes(_contracts(), _contracts())
    assert unchanged == Changes(added=(), removed=())
    assert "no service, RPC, message, field, enum or enum value added or removed" in unchanged.summary()


def test_every_kind_of_element_is_listed() -> None:
    everything = changes(descriptor_pb2.FileDescriptorSet(), _contracts())
    assert everything.added == (
        "enum shop.v1.Item.Kind",
        "enum shop.v1.Status",
        "enum value shop.v1.Item.Kind.KIND_UNSPECIFIED = 0",
        "enum value shop.v1.Status.STATUS_UNSPECIFIED = 0",
        "field shop.v1.Item.id = 1",
        "message shop.v1.Item",
        "rpc shop.v1.ShopService.GetItem",
        "service shop.v1.ShopService",
    )


def test_the_baseline_is_committed_and_the_current_contracts_keep_all_of_it() -> None:
    baseline = read_descriptor_set(repo_root() / BASELINE)
    names = {file.name for file in baseline.file}
    assert "holidaypeak/commerce/v1/order_service.proto" in names
    assert not any(file.HasField("source_code_info") for file in baseline.file)  # small and stable
    # Without buf at hand: what the committed generated code was built from (`hph codegen --check`
    # keeps it current) still has every element the baseline published. buf's WIRE_JSON check in
    # .ci/test is the full rule; this catches a removal wherever pytest runs.
    current = read_descriptor_set(repo_root() / "services" / GENERATED_PACKAGE / DESCRIPTOR_SET_NAME)
    assert changes(baseline, current).removed == ()
