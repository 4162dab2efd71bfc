"""OpenAPI 3.1 document and /docs page generated from the descriptor sets (platform and bookstore)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.gateway.docs_page import render_docs_html
from hph.gateway.openapi import build_openapi, operations
from hph.host.app import AGENTS
from tests.support.protoc import REPO, compile_descriptor_set

Spec = dict[str, Any]
Bookstore = Any  # conftest.Bookstore (conftest modules are not importable by name)


@pytest.fixture(scope="module")
def platform() -> DescriptorSet:
    return load_descriptor_set()


@pytest.fixture(scope="module")
def spec(platform: DescriptorSet) -> Spec:
    return build_openapi(platform, version="9.9.9")


@pytest.fixture(scope="module")
def book_spec(bookstore: Bookstore) -> Spec:
    return build_openapi(load_descriptor_set(bookstore.descriptor_set), title="Bookstore")


def openapi_path(template: str) -> str:
    """Independent of the module: `{field=pattern}` -> `{field}`, the verb kept."""
    return re.sub(r"\{([^}=]+)=[^}]*\}", r"{\1}", template)


def resolve(spec: Spec, schema: Spec) -> Spec:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/")
    resolved: Spec = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return resolved


def parameters_by_name(operation: Spec) -> dict[str, Spec]:
    return {parameter["name"]: parameter for parameter in operation.get("parameters", [])}


def all_refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


# -- the platform document ----------------------------------------------------------------------


def test_platform_document_is_valid_openapi_31(spec: Spec) -> None:
    validate(spec, cls=OpenAPIV31SpecValidator)
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["version"] == "9.9.9"
    assert "servers" not in spec


def test_every_reference_resolves(spec: Spec) -> None:
    for ref in all_refs(spec):
        section, name = ref.removeprefix("#/components/").split("/", 1)
        assert name in spec["components"][section], ref


def test_every_http_binding_is_a_path_and_method(platform: DescriptorSet, spec: Spec) -> None:
    bindings = service_bindings(platform)
    assert len(bindings) > 50
    documented = {(method, path): op["x-hph-rpc"] for method, path, op in operations(spec)}
    for binding in bindings:
        key = (binding.http_method, openapi_path(binding.template))
        assert documented.get(key) == binding.rpc, key
    assert len(documented) == len(bindings)


def test_every_agent_route_is_documented_under_its_agent_and_on_the_docs_page(
    platform: DescriptorSet, spec: Spec
) -> None:
    bindings = service_bindings(platform, [agent.full_name for agent in AGENTS])
    assert len(bindings) >= 28
    documented = {(method, path): op for method, path, op in operations(spec)}
    page = render_docs_html(spec)
    for binding in bindings:
        operation = documented[(binding.http_method, openapi_path(binding.template))]
        assert operation["x-hph-rpc"] == binding.rpc
        assert operation["tags"] == [binding.method.containing_service.name]
        assert f'id="op-{operation["operationId"]}"' in page, binding.rpc
    assert {tag["name"] for tag in spec["tags"]} >= {agent.proto_service for agent in AGENTS}


def test_list_products_query_parameters_are_typed(spec: Spec) -> None:
    operation = spec["paths"]["/api/products"]["get"]
    params = parameters_by_name(operation)
    assert set(params) == {"search", "category", "limit", "page_token"}
    assert all(p["in"] == "query" and not p.get("required") for p in params.values())
    assert params["search"]["schema"]["type"] == "string"
    assert params["category"]["schema"]["type"] == "string"
    assert params["limit"]["schema"]["type"] == "integer"
    assert params["limit"]["schema"]["format"] == "int32"
    assert params["page_token"]["schema"]["type"] == "string"
    assert "pageToken" in params["page_token"]["description"]
    assert operation["operationId"] == "CatalogService_ListProducts"
    assert operation["tags"] == ["CatalogService"]
    assert operation["summary"].startswith("Lists active products")


def test_get_product_answers_the_product_schema(spec: Spec) -> None:
    operation = spec["paths"]["/api/products/{product_id}"]["get"]
    (param,) = operation["parameters"]
    assert param == {**param, "name": "product_id", "in": "path", "required": True}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/holidaypeak.commerce.v1.Product"}
    product = resolve(spec, ok)
    assert product["properties"]["price"]["type"] == "number"
    assert product["properties"]["in_stock"]["type"] == "boolean"
    assert product["properties"]["in_stock"]["readOnly"] is True
    assert "readOnly" not in product["properties"]["name"]
    assert {"name", "price", "currency_code", "category_id"} <= set(product["required"])
    assert "in_stock" not in product["required"]
    assert product["properties"]["created_at"]["format"] == "date-time"
    status = resolve(spec, product["properties"]["status"])
    assert status["enum"] == ["PRODUCT_STATUS_UNSPECIFIED", "PRODUCT_STATUS_ACTIVE", "PRODUCT_STATUS_ARCHIVED"]
    assert "Unit price" in product["properties"]["price"]["description"]
    assert {"400", "404", "429", "default"} <= set(operation["responses"])


def test_create_review_has_a_body_and_requires_a_token(spec: Spec) -> None:
    operation = spec["paths"]["/api/reviews"]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    schema = resolve(spec, body["content"]["application/json"]["schema"])
    assert schema["properties"]["rating"]["type"] == "integer"
    assert {"product_id", "rating", "title", "comment"} <= set(schema["properties"])
    assert {"product_id", "rating", "title", "comment"} == set(schema["required"])
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "409"} <= set(operation["responses"])
    assert "parameters" not in operation  # body "*": nothing left for the query
    assert "`customer`" in operation["description"]
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def test_security_follows_the_access_rule(platform: DescriptorSet, spec: Spec) -> None:
    documented = {(method, path): op for method, path, op in operations(spec)}
    anonymous = 0
    for binding in service_bindings(platform):
        operation = documented[(binding.http_method, openapi_path(binding.template))]
        if binding.access.min_role == 1:  # ROLE_ANONYMOUS
            anonymous += 1
            assert operation["security"] == [], binding.rpc
            assert "401" not in operation["responses"]
        else:
            assert operation["security"] == [{"bearerAuth": []}], binding.rpc
            assert "401" in operation["responses"]
    assert anonymous >= 5
    assert spec["security"] == [{"bearerAuth": []}]


def test_owner_only_rule_is_stated(spec: Spec) -> None:
    operation = spec["paths"]["/api/reviews/{review_id}"]["delete"]
    assert "Owner only" in operation["description"]
    assert "`admin`" in operation["description"]
    assert operation["x-hph-access"] == {"min_role": "customer", "owner_only": True, "owner_override_role": "admin"}
    staff = spec["paths"]["/api/staff/products"]["post"]
    assert "`staff`" in staff["description"]
    assert staff["x-hph-access"] == {"min_role": "staff", "owner_only": False}


def test_body_star_leaves_out_path_bound_fields(spec: Spec) -> None:
    operation = spec["paths"]["/api/staff/products/{product_id}"]["patch"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "product_id" not in schema["properties"]
    assert "product_id" not in schema.get("required", [])
    assert "name" in schema["properties"]
    assert [p["name"] for p in operation["parameters"]] == ["product_id"]
    archive = spec["paths"]["/api/staff/products/{product_id}:archive"]["post"]
    assert archive["operationId"] == "CatalogService_ArchiveProduct"


def test_error_schema_and_responses(spec: Spec) -> None:
    status = spec["components"]["schemas"]["Status"]
    assert status["properties"]["code"]["type"] == "integer"
    assert status["properties"]["message"]["type"] == "string"
    detail = status["properties"]["details"]["items"]
    assert detail["properties"]["@type"]["type"] == "string"
    assert detail["additionalProperties"] is True
    responses = spec["components"]["responses"]
    for name in ("BadRequest", "Unauthenticated", "PermissionDenied", "NotFound", "Conflict", "TooManyRequests"):
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Status"}
    assert "Retry-After" in responses["TooManyRequests"]["headers"]
    for _, _, operation in operations(spec):
        assert operation["responses"]["default"] == {"$ref": "#/components/responses/Error"}
    assert '"code"' in spec["info"]["description"]
    assert "staff" in spec["info"]["description"]


def test_servers_and_determinism(platform: DescriptorSet, spec: Spec) -> None:
    with_server = build_openapi(platform, version="9.9.9", server_url="http://localhost:8080")
    assert with_server["servers"] == [{"url": "http://localhost:8080"}]
    again = build_openapi(load_descriptor_set(), version="9.9.9")
    assert json.dumps(again) == json.dumps(spec)
    assert list(spec["paths"]) == sorted(spec["paths"])
    assert list(spec["components"]["schemas"]) == sorted(spec["components"]["schemas"])


# -- the bookstore contract: every transcoding feature -----------------------------------------


def test_bookstore_document_is_valid(book_spec: Spec, bookstore: Bookstore) -> None:
    validate(book_spec, cls=OpenAPIV31SpecValidator)
    bindings = service_bindings(load_descriptor_set(bookstore.descriptor_set))
    documented = {(method, path) for method, path, _ in operations(book_spec)}
    assert documented == {(b.http_method, openapi_path(b.template)) for b in bindings}
    assert not any("Internal" in op["operationId"] for _, _, op in operations(book_spec))


def test_bookstore_streaming_answers_an_array(book_spec: Spec) -> None:
    operation = book_spec["paths"]["/v1/shelves/{shelf}/books:stream"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/bookstore.v1.Book"}}
    assert "Streaming" in operation["description"]
    shelf = parameters_by_name(operation)["shelf"]
    assert shelf["in"] == "path"
    assert shelf["schema"]["type"] == ["string", "integer"]  # int64
    assert {"count", "fail_code"} <= set(parameters_by_name(operation))


def test_bookstore_http_body_is_binary(book_spec: Spec) -> None:
    cover = book_spec["paths"]["/v1/covers/{book_id}"]
    assert set(cover["get"]["responses"]["200"]["content"]) == {"*/*"}
    assert cover["get"]["responses"]["200"]["content"]["*/*"]["schema"]["format"] == "binary"
    upload = cover["post"]["requestBody"]["content"]
    assert set(upload) == {"*/*"}
    assert upload["*/*"]["schema"]["format"] == "binary"


def test_bookstore_path_templates(book_spec: Spec) -> None:
    paths = book_spec["paths"]
    update = paths["/v1/{book.name}"]["patch"]
    name = parameters_by_name(update)["book.name"]
    assert name["in"] == "path" and name["required"] is True
    assert "shelves/*/books/*" in name["description"]
    assert re.fullmatch(name["schema"]["pattern"], "shelves/1/books/2")
    assert not re.fullmatch(name["schema"]["pattern"], "shelves/1")
    assert set(parameters_by_name(update)) == {"book.name", "update_mask"}
    assert resolve(book_spec, update["requestBody"]["content"]["application/json"]["schema"])["properties"]
    assert "post" in paths["/v1/{name}:checkout"]  # custom verb kept in the path text
    file_param = parameters_by_name(paths["/v1/files/{path}"]["get"])["path"]
    assert "**" in file_param["description"]
    create_book = paths["/v1/shelves/{book.shelf}/books"]["post"]
    assert [p["name"] for p in create_book["parameters"]] == ["book.shelf"]
    assert "options" in paths["/v1/shelves"]
    assert "featured" in str(list(paths))


def test_bookstore_additional_bindings_get_suffixed_ids(book_spec: Spec) -> None:
    paths = book_spec["paths"]
    assert paths["/v1/shelves/{shelf}"]["get"]["operationId"] == "Bookstore_GetShelf"
    assert paths["/v1/stores/{store}/shelves/{shelf}"]["get"]["operationId"] == "Bookstore_GetShelf_2"
    assert paths["/v1/echo/{id}"]["post"]["operationId"] == "Bookstore_Echo"
    assert paths["/v1/echo/{id}"]["get"]["operationId"] == "Bookstore_Echo_2"
    ids = [op["operationId"] for _, _, op in operations(book_spec)]
    assert len(ids) == len(set(ids))


def test_bookstore_query_parameters_flatten_and_skip_unbindable_fields(book_spec: Spec) -> None:
    params = parameters_by_name(book_spec["paths"]["/v1/echo/{id}"]["get"])
    assert params["id"]["in"] == "path"
    for name in ("shelves", "counts", "extra", "anything", "page"):
        assert name not in params, name  # repeated message, map, Struct, Value, flattened message
    assert params["page.size"]["schema"]["type"] == "integer"
    assert params["page.token"]["schema"]["type"] == "string"
    assert params["tags"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert params["tags"]["style"] == "form" and params["tags"]["explode"] is True
    assert params["genre"]["schema"]["enum"] == ["GENRE_UNSPECIFIED", "GENRE_FICTION", "GENRE_HISTORY"]
    assert params["at"]["schema"]["format"] == "date-time"
    assert params["maybe"]["schema"]["type"] == "integer"  # a wrapper in the query is its scalar
    assert params["i64"]["schema"]["type"] == ["string", "integer"]
    assert all(p["in"] == "query" for name, p in params.items() if name != "id")
    # body "*": the POST binding takes everything from the body.
    post = book_spec["paths"]["/v1/echo/{id}"]["post"]
    assert [p["name"] for p in post["parameters"]] == ["id"]
    assert "id" not in post["requestBody"]["content"]["application/json"]["schema"]["properties"]
    # body "shelf": the other fields stay query parameters.
    create = book_spec["paths"]["/v1/shelves"]["post"]
    assert [p["name"] for p in create["parameters"]] == ["requester"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/bookstore.v1.Shelf"
    }


def test_bookstore_schemas_follow_the_proto3_json_mapping(book_spec: Spec) -> None:
    echo = book_spec["components"]["schemas"]["bookstore.v1.EchoMessage"]["properties"]
    assert echo["i32"]["type"] == "integer"
    assert echo["i64"]["type"] == ["string", "integer"] and echo["i64"]["format"] == "int64"
    assert echo["u64"]["type"] == ["string", "integer"]
    assert echo["dbl"]["type"] == "number" and echo["flt"]["type"] == "number"
    assert echo["flag"]["type"] == "boolean"
    assert echo["data"] == {**echo["data"], "type": "string", "contentEncoding": "base64"}
    assert echo["genre"]["$ref"] == "#/components/schemas/bookstore.v1.Genre"
    assert echo["numbers"]["items"]["type"] == "integer"
    assert echo["shelves"]["items"] == {"$ref": "#/components/schemas/bookstore.v1.Shelf"}
    assert echo["counts"]["type"] == "object" and echo["counts"]["additionalProperties"]["type"] == "integer"
    assert echo["at"]["format"] == "date-time"
    assert echo["wait"]["type"] == "string" and re.fullmatch(echo["wait"]["pattern"], "1.5s")
    assert echo["mask"]["type"] == "string"
    assert echo["maybe"]["type"] == ["integer", "null"]
    assert echo["note"]["type"] == ["string", "null"]
    assert echo["extra"]["type"] == "object"
    assert set(echo["anything"]) == {"description"}  # any JSON value
    assert "oneof `choice`" in echo["first"]["description"]
    assert echo["i32"]["description"] == "32-bit integer."
    genre = book_spec["components"]["schemas"]["bookstore.v1.Genre"]
    assert genre["type"] == "string" and genre["enum"][1] == "GENRE_FICTION"
    assert "Fiction." in genre["description"]
    # Well-known types are inlined, never components.
    assert not [name for name in book_spec["components"]["schemas"] if name.startswith("google.protobuf")]
    delete = book_spec["paths"]["/v1/shelves/{shelf}"]["delete"]
    assert delete["responses"]["200"]["content"]["application/json"]["schema"] == {"type": "object"}


def test_rpc_without_access_rule_is_documented_as_admin(book_spec: Spec) -> None:
    operation = book_spec["paths"]["/v1/shelves/featured"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert operation["x-hph-access"]["min_role"] == "admin"


# -- the /docs page ---------------------------------------------------------------------------


def test_docs_page_lists_every_operation_and_is_self_contained(spec: Spec) -> None:
    page = render_docs_html(spec)
    assert page.startswith("<!DOCTYPE html>")
    for method, path, operation in operations(spec):
        assert f'<span class="path">{path}</span>' in page, path  # platform paths need no escaping
        assert f'id="op-{operation["operationId"]}"' in page
        assert method in page
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<details" in page and "customer · owner only" in page
    assert 'id="schema-holidaypeak.commerce.v1.Product"' in page
    assert "Rating in whole stars" in page  # request body fields shown inline


def test_docs_page_renders_bookstore_features(book_spec: Spec) -> None:
    page = render_docs_html(book_spec)
    assert "/v1/{name}:checkout" in page
    assert "array of" in page  # streaming response
    assert "*/*" in page  # HttpBody
    assert "map of string to integer" in page


EVIL_PROTO = """\
syntax = "proto3";
package evil.v1;
import "google/api/annotations.proto";
import "holidaypeak/common/v1/access.proto";

// Evil <b>service</b> & friends.
service Evil {
  // Gets <script>alert("x")</script> things & more.
  rpc GetThing(GetThingRequest) returns (Thing) {
    option (google.api.http) = {
      get: "/v1/{name=things/*}"
      additional_bindings {get: "/v1/{name=others/*}"}
    };
    option (holidaypeak.common.v1.access) = {min_role: ROLE_ANONYMOUS};
  }
  // Purges with a custom HTTP method.
  rpc PurgeThing(GetThingRequest) returns (Thing) {
    option (google.api.http) = {
      custom: {kind: "PURGE" path: "/v1/{name=things/*}"}
    };
    option (holidaypeak.common.v1.access) = {min_role: ROLE_STAFF owner_only: true};
  }
}

// A thing <img src=x onerror=alert(1)>.
message Thing {
  // Name "<script>field</script>".
  string name = 1;
  // How the thing is kept:
  // - *dry*, in `<box>`es;
  // - cold, below 4 degrees,
  //   never frozen.
  // 1. first <img src=y>
  string storage = 2;
  oneof kind {
    // Kind a:
    // - the first kind
    string a = 3;
    // Kind b.
    string b = 4;
  }
}

// Request of GetThing.
message GetThingRequest {
  // Resource name.
  string name = 1;
}
"""


@pytest.fixture(scope="module")
def evil_spec(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    folder = tmp_path_factory.mktemp("evil")
    (folder / "evil" / "v1").mkdir(parents=True)
    (folder / "evil" / "v1" / "evil.proto").write_text(EVIL_PROTO)
    descriptor_set = compile_descriptor_set(
        folder, "evil/v1/evil.proto", out=folder / "evil.binpb", includes=[REPO / "protos"], source_info=True
    )
    return build_openapi(load_descriptor_set(descriptor_set))


def test_docs_page_escapes_proto_comments(evil_spec: Spec) -> None:
    operation = evil_spec["paths"]["/v1/{name}"]["get"]
    assert "<script>" in operation["summary"]  # the document keeps the text; the page escapes it
    page = render_docs_html(evil_spec)
    assert "<script" not in page
    assert "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;script&gt;field&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "things &amp; more" in page


def test_proto_comments_render_as_markdown_on_the_page(evil_spec: Spec) -> None:
    storage = evil_spec["components"]["schemas"]["evil.v1.Thing"]["properties"]["storage"]
    # The document keeps the comment's lines (OpenAPI descriptions are CommonMark)...
    assert storage["description"].startswith("How the thing is kept:\n- *dry*, in `<box>`es;\n- cold,")
    # ...and the page shows its lists, still escaped.
    assert (
        "<p>How the thing is kept:</p><ul><li><em>dry</em>, in <code>&lt;box&gt;</code>es;</li>"
        "<li>cold, below 4 degrees, never frozen.</li></ul><ol><li>first &lt;img src=y&gt;</li></ol>"
    ) in render_docs_html(evil_spec)
    # A note added to a comment with a list of its own is a paragraph, not part of the last item.
    kind_a = evil_spec["components"]["schemas"]["evil.v1.Thing"]["properties"]["a"]["description"]
    assert kind_a == "Kind a:\n- the first kind\n\nMember of oneof `kind`: at most one of `a`, `b` is set."
    kind_b = evil_spec["components"]["schemas"]["evil.v1.Thing"]["properties"]["b"]["description"]
    assert kind_b == "Kind b. Member of oneof `kind`: at most one of `a`, `b` is set."


@pytest.mark.parametrize("emit_defaults", [False, True])
def test_the_document_says_what_responses_do_with_default_values(platform: DescriptorSet, emit_defaults: bool) -> None:
    intro = build_openapi(platform, emit_defaults=emit_defaults)["info"]["description"]
    printed = "Fields holding their default value are printed too" in intro
    omitted = "Fields holding their default value are omitted from responses." in intro
    assert (printed, omitted) == (emit_defaults, not emit_defaults)


def test_templates_that_collapse_and_custom_methods_stay_documented(evil_spec: Spec) -> None:
    validate(evil_spec, cls=OpenAPIV31SpecValidator)
    item = evil_spec["paths"]["/v1/{name}"]
    # Two GET templates differ only in the variable's pattern: one OpenAPI operation names both.
    assert item["get"]["operationId"] == "Evil_GetThing"
    assert "/v1/{name=others/*}" in item["get"]["description"]
    purge = item["x-custom-operations"]["PURGE"]
    assert purge["operationId"] == "Evil_PurgeThing"
    assert "Owner only" in purge["description"]
    page = render_docs_html(evil_spec)
    assert '<span class="method other">PURGE</span>' in page
    assert "pattern" not in item["get"]["parameters"][0]["schema"]  # things/* or others/*
