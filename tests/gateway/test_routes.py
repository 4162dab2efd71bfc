"""Route table: start-up validation and Envoy-identical matching (precedence, verbs, decoding).

Rules are either the bookstore contract's (conftest `bookstore`) or ad-hoc `HttpBinding`s over a
small contract compiled here, so each test shows exactly the templates it is about.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Protocol

import pytest

from hph.gateway.descriptors import DescriptorSet, HttpBinding, load_descriptor_set, service_bindings
from hph.gateway.routes import Match, Route, RouteError, RouteTable, UnescapeSpec, percent_decode
from hph.gateway.templates import DoubleWildcard, Literal
from tests.support.protoc import compile_descriptor_set


class Bookstore(Protocol):
    """What this module uses of conftest's `bookstore` fixture (not imported: several conftest.py exist)."""

    pb2: ModuleType
    descriptor_set: bytes
    descriptor_path: Path


ROUTETEST_PROTO = """
syntax = "proto3";
package routetest.v1;
import "google/api/annotations.proto";

enum Kind { KIND_UNSPECIFIED = 0; KIND_BIG = 1; }
message Author { string name = 1; }
message Book { string name = 1; int64 shelf = 2; Author author = 3; repeated string tags = 4; }
message Req {
  string x = 1; string y = 2; string name = 3; string path = 4; string id = 5; int64 num = 6;
  Kind kind = 7; repeated string tags = 8; Book book = 9; repeated Book books = 10;
  map<string, int32> counts = 11; string display_name = 12; bool flag = 13; bytes data = 14;
}
message Resp { string value = 1; }
service First {
  rpc A(Req) returns (Resp); rpc B(Req) returns (Resp); rpc C(Req) returns (Resp);
  rpc D(Req) returns (Resp); rpc E(Req) returns (Resp); rpc F(Req) returns (Resp);
}
service Second { rpc A(Req) returns (Resp); }
service Nested {
  rpc Get(Req) returns (Resp) {
    option (google.api.http) = {
      get: "/n/{x}"
      additional_bindings { get: "/n2/{x}" additional_bindings { get: "/n3/{x}" } }
    };
  }
}
"""

BOOKSTORE = "/bookstore.v1.Bookstore/"
CATALOG = "/holidaypeak.commerce.v1.CatalogService/"


@pytest.fixture(scope="module")
def routetest(tmp_path_factory: pytest.TempPathFactory) -> DescriptorSet:
    source = tmp_path_factory.mktemp("routetest-src")
    (source / "routetest.proto").write_text(ROUTETEST_PROTO)
    return load_descriptor_set(compile_descriptor_set(source, "routetest.proto", out=source / "routetest.binpb"))


@pytest.fixture(scope="module")
def bookstore_table(bookstore: Bookstore) -> RouteTable:
    return RouteTable.from_descriptor_set(bookstore.descriptor_set)


@pytest.fixture(scope="module")
def platform_table() -> RouteTable:
    return RouteTable.from_descriptor_set()


def rule(
    descriptors: DescriptorSet,
    rpc: str,
    http_method: str,
    template: str,
    body: str = "",
    response_body: str = "",
) -> HttpBinding:
    """An ad-hoc binding of routetest rpc "First.A" style names."""
    service, method = rpc.split(".")
    found = descriptors.pool.FindServiceByName(f"routetest.v1.{service}").methods_by_name[method]
    return HttpBinding(http_method, template, body, response_body, found)


def table(descriptors: DescriptorSet, *rules: tuple[str, str, str]) -> RouteTable:
    return RouteTable.build([rule(descriptors, rpc, method, template) for rpc, method, template in rules])


def matched(found: Match | None) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """(rpc method name, path params) or None, for compact table assertions."""
    if found is None:
        return None
    return found.route.rpc.rsplit("/", 1)[1], found.path_params


# --- precedence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("http_method", "path", "expected"),
    [
        ("GET", "/v1/shelves/featured", ("GetFeaturedShelf", ())),
        ("GET", "/v1/shelves/7", ("GetShelf", (("shelf", "7"),))),
        ("GET", "/v1/shelves/featured2", ("GetShelf", (("shelf", "featured2"),))),
        ("GET", "/v1/shelves", ("ListShelves", ())),
    ],
)
def test_literal_beats_variable(bookstore_table: RouteTable, http_method: str, path: str, expected: object) -> None:
    assert matched(bookstore_table.match(http_method, path)) == expected


PRECEDENCE_RULES = (
    ("First.A", "GET", "/p/a/b"),
    ("First.B", "GET", "/p/{x}/b"),
    ("First.C", "GET", "/p/*/c"),
    ("First.D", "GET", "/p/{path=**}"),
    ("First.E", "GET", "/q/{x}/lit"),
    ("First.F", "GET", "/q/lit/{y}"),
    ("Second.A", "GET", "/r/a/{x}/z"),
    ("First.A", "POST", "/r/{y}/b/c"),
)


@pytest.mark.parametrize(
    ("http_method", "path", "expected"),
    [
        ("GET", "/p/a/b", ("A", ())),  # literal over {x}
        ("GET", "/p/z/b", ("B", (("x", "z"),))),  # {x} over **
        ("GET", "/p/a/c", ("C", ())),  # bare * is a single-segment match too
        ("GET", "/p/a/zzz", ("D", (("path", "a/zzz"),))),  # ** catches what nothing else does
        ("GET", "/p/a/b/c", ("D", (("path", "a/b/c"),))),
        ("GET", "/p/only", ("D", (("path", "only"),))),
        ("GET", "/p", ("D", (("path", ""),))),  # ** matches zero segments
        ("GET", "/q/lit/lit", ("F", (("y", "lit"),))),  # tie: the earlier segment decides (literal wins)
        ("GET", "/q/other/lit", ("E", (("x", "other"),))),
        ("GET", "/q/lit/other", ("F", (("y", "other"),))),
        ("GET", "/q/other/other", None),
    ],
)
def test_precedence_is_literal_then_single_segment_then_double_wildcard_left_to_right(
    routetest: DescriptorSet, http_method: str, path: str, expected: object
) -> None:
    assert matched(table(routetest, *PRECEDENCE_RULES).match(http_method, path)) == expected


def test_dead_end_literal_backtracks_to_variable(routetest: DescriptorSet, bookstore_table: RouteTable) -> None:
    routes = table(routetest, ("First.A", "GET", "/r/a/{x}/z"), ("First.B", "GET", "/r/{y}/b/c"))
    assert matched(routes.match("GET", "/r/a/b/c")) == ("B", (("y", "a"),))
    assert matched(routes.match("GET", "/r/a/b/z")) == ("A", (("x", "b"),))
    # The literal "featured" (GetFeaturedShelf) has no children: GetBook's {name=shelves/*/books/*} answers.
    assert matched(bookstore_table.match("GET", "/v1/shelves/featured/books/3")) == (
        "GetBook",
        (("name", "shelves/featured/books/3"),),
    )


def test_methods_do_not_leak_into_each_others_matches(routetest: DescriptorSet) -> None:
    # POST only has the ** rule: the GET literal must not shadow it (one trie per method, as Envoy).
    routes = table(routetest, ("First.A", "GET", "/m/lit"), ("First.B", "POST", "/m/{path=**}"))
    assert matched(routes.match("POST", "/m/lit")) == ("B", (("path", "lit"),))
    assert matched(routes.match("GET", "/m/lit")) == ("A", ())
    assert routes.match("GET", "/m/other") is None


def test_double_wildcard_loses_to_single_segment_only_for_one_segment(routetest: DescriptorSet) -> None:
    routes = table(routetest, ("First.A", "GET", "/s/{x=**}"), ("First.B", "GET", "/s/{y}"))
    assert matched(routes.match("GET", "/s/a")) == ("B", (("y", "a"),))
    assert matched(routes.match("GET", "/s/a/b")) == ("A", (("x", "a/b"),))
    assert matched(routes.match("GET", "/s")) == ("A", (("x", ""),))


# --- path normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/shelves/", ("ListShelves", ())),
        ("/v1/shelves//", ("ListShelves", ())),
        ("/v1/shelves/7/", ("GetShelf", (("shelf", "7"),))),
        ("/v1/shelves/1/books/2/", ("GetBook", (("name", "shelves/1/books/2"),))),
        ("/v1/files/", ("GetFile", (("path", ""),))),
        ("/v1/files/a/b/", ("GetFile", (("path", "a/b"),))),
    ],
)
def test_trailing_slash_is_ignored(bookstore_table: RouteTable, path: str, expected: object) -> None:
    assert matched(bookstore_table.match("GET", path)) == expected


def test_empty_middle_segment_is_kept_as_an_empty_value(bookstore_table: RouteTable) -> None:
    # Envoy does not merge slashes: "//" is an empty segment, which a single-segment match accepts.
    assert matched(bookstore_table.match("GET", "/v1/shelves//books/2")) == ("GetBook", (("name", "shelves//books/2"),))
    assert bookstore_table.match("GET", "/v1//shelves") is None


def test_query_is_stripped_before_matching(bookstore_table: RouteTable) -> None:
    assert matched(bookstore_table.match("GET", "/v1/shelves/7?x=1:checkout/")) == ("GetShelf", (("shelf", "7"),))


def test_root_template_matches_root_path(routetest: DescriptorSet) -> None:
    routes = table(routetest, ("First.A", "GET", "/"), ("First.B", "GET", "/{x}"))
    assert matched(routes.match("GET", "/")) == ("A", ())
    assert matched(routes.match("GET", "//")) == ("A", ())
    assert matched(routes.match("GET", "/a")) == ("B", (("x", "a"),))


@pytest.mark.parametrize("path", ["", "v1/shelves", "*", "http://host/v1/shelves"])
def test_path_without_leading_slash_matches_nothing(bookstore_table: RouteTable, path: str) -> None:
    assert bookstore_table.match("GET", path) is None
    assert not bookstore_table.path_exists(path)


# --- custom verbs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("http_method", "path", "expected"),
    [
        ("POST", "/v1/shelves/1/books/2:checkout", ("CheckoutBook", (("name", "shelves/1/books/2"),))),
        ("GET", "/v1/shelves/3/books:stream", ("StreamBooks", (("shelf", "3"),))),
        # a registered verb is always split off: GET has no :checkout rule, so no match at all
        ("GET", "/v1/shelves/1/books/2:checkout", None),
        ("GET", "/v1/shelves/3:stream", None),
        # unregistered verb: the colon is part of the last segment's value
        ("GET", "/v1/shelves/1/books/2:return", ("GetBook", (("name", "shelves/1/books/2:return"),))),
        ("GET", "/v1/shelves/a:b", ("GetShelf", (("shelf", "a:b"),))),
        ("GET", "/v1/shelves/a:", ("GetShelf", (("shelf", "a:"),))),
        # only the last segment can carry a verb
        ("GET", "/v1/shelves/x:checkout/books/2", ("GetBook", (("name", "shelves/x:checkout/books/2"),))),
        # the verb is compared as written (case-sensitive, still encoded)
        ("POST", "/v1/shelves/1/books/2:Checkout", None),
    ],
)
def test_colon_is_a_verb_only_when_registered(
    bookstore_table: RouteTable, http_method: str, path: str, expected: object
) -> None:
    assert matched(bookstore_table.match(http_method, path)) == expected


def test_registered_verbs_are_collected_from_every_template(bookstore_table: RouteTable) -> None:
    assert bookstore_table.custom_verbs == frozenset({"checkout", "stream"})


def test_verb_after_double_wildcard_ends_the_capture(routetest: DescriptorSet) -> None:
    routes = table(routetest, ("First.A", "GET", "/f/{path=**}:download"), ("First.B", "GET", "/f/{path=**}"))
    assert matched(routes.match("GET", "/f/a/b:download")) == ("A", (("path", "a/b"),))
    assert matched(routes.match("GET", "/f:download")) == ("A", (("path", ""),))
    assert matched(routes.match("GET", "/f/a/b")) == ("B", (("path", "a/b"),))


# --- additional bindings and custom methods ---------------------------------------------------------


@pytest.mark.parametrize(
    ("http_method", "path", "expected"),
    [
        ("GET", "/v1/shelves/3", ("GetShelf", (("shelf", "3"),))),
        ("GET", "/v1/stores/s1/shelves/3", ("GetShelf", (("store", "s1"), ("shelf", "3")))),
        ("POST", "/v1/echo/e1", ("Echo", (("id", "e1"),))),
        ("GET", "/v1/echo/e1", ("Echo", (("id", "e1"),))),
    ],
)
def test_additional_bindings_are_each_routable(
    bookstore_table: RouteTable, http_method: str, path: str, expected: object
) -> None:
    assert matched(bookstore_table.match(http_method, path)) == expected


def test_additional_binding_keeps_its_own_body(bookstore_table: RouteTable) -> None:
    post, get = bookstore_table.match("POST", "/v1/echo/e1"), bookstore_table.match("GET", "/v1/echo/e1")
    assert post is not None and get is not None
    assert (post.route.body_field, post.route.binding.is_additional) == ("*", False)
    assert (get.route.body_field, get.route.binding.is_additional) == ("", True)


def test_custom_method_is_routable_under_its_kind(bookstore_table: RouteTable) -> None:
    assert matched(bookstore_table.match("OPTIONS", "/v1/shelves")) == ("Options", ())
    assert bookstore_table.allowed_methods("/v1/shelves") == ("GET", "OPTIONS", "POST")


def test_http_method_is_compared_exactly(bookstore_table: RouteTable) -> None:
    assert bookstore_table.match("get", "/v1/shelves") is None
    assert bookstore_table.match("PUT", "/v1/shelves") is None


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/shelves/7", ("DELETE", "GET")),
        ("/v1/shelves/1/books/2", ("GET", "PATCH")),
        ("/v1/shelves/1/books/2:checkout", ("POST",)),
        ("/v1/nothing/here", ()),
    ],
)
def test_allowed_methods_and_path_exists_tell_404_from_405(
    bookstore_table: RouteTable, path: str, methods: tuple[str, ...]
) -> None:
    assert bookstore_table.allowed_methods(path) == methods
    assert bookstore_table.path_exists(path) is bool(methods)


# --- percent-decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segment", "value"),
    [
        ("plain", "plain"),
        ("a%2Fb", "a/b"),
        ("a%2fb", "a/b"),
        ("p%20q", "p q"),
        ("%41%62", "Ab"),
        ("%E2%82%AC", "\u20ac"),
        ("%21%23%24%26%27%28%29%2A%2B%2C%3A%3B%3D%3F%40%5B%5D", "!#$&'()*+,:;=?@[]"),
        ("a+b", "a+b"),  # "+" is not a space in a path
        ("%zz%4", "%zz%4"),  # malformed escapes stay as they are
        ("100%25", "100%"),
        ("%2541", "%41"),  # decoded once, not twice
    ],
)
def test_single_segment_variable_is_fully_decoded(bookstore_table: RouteTable, segment: str, value: str) -> None:
    assert matched(bookstore_table.match("GET", f"/v1/covers/{segment}")) == ("GetCover", (("book_id", value),))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/v1/files/a%2Fb/c%20d", "a%2Fb/c d"),
        ("/v1/files/a%2fb", "a%2fb"),  # a "**" capture is multi-segment even when it spans one segment
        ("/v1/files/%41/%E2%82%AC/%2B", "A/\u20ac/+"),
        ("/v1/files/x%zz", "x%zz"),
    ],
)
def test_multi_segment_variable_keeps_encoded_slash(bookstore_table: RouteTable, path: str, value: str) -> None:
    assert matched(bookstore_table.match("GET", path)) == ("GetFile", (("path", value),))


def test_multi_segment_template_variable_keeps_encoded_slash(bookstore_table: RouteTable) -> None:
    found = bookstore_table.match("GET", "/v1/shelves/s%2F1/books/b%20%2F2")
    assert matched(found) == ("GetBook", (("name", "shelves/s%2F1/books/b %2F2"),))


def test_encoded_slash_never_splits_segments(bookstore_table: RouteTable) -> None:
    # "%2F" is data, not a separator: this is one segment, so GetShelf (not GetBook) answers.
    assert matched(bookstore_table.match("GET", "/v1/shelves/1%2Fbooks%2F2")) == ("GetShelf", (("shelf", "1/books/2"),))


def test_literals_are_compared_still_encoded(bookstore_table: RouteTable) -> None:
    assert bookstore_table.match("GET", "/v1/%73helves") is None  # "%73" is "s", but Envoy compares raw


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (UnescapeSpec.ALL_CHARACTERS_EXCEPT_SLASH, "a%2Fb/c d/!"),
        (UnescapeSpec.ALL_CHARACTERS_EXCEPT_RESERVED, "a%2Fb/c d/%21"),
        (UnescapeSpec.ALL_CHARACTERS, "a/b/c d/!"),
    ],
)
def test_multi_segment_decoding_follows_the_configured_unescape_spec(
    bookstore: Bookstore, spec: UnescapeSpec, value: str
) -> None:
    routes = RouteTable.from_descriptor_set(bookstore.descriptor_set, unescape=spec)
    assert matched(routes.match("GET", "/v1/files/a%2Fb/c%20d/%21")) == ("GetFile", (("path", value),))
    # single-segment variables are fully decoded whatever the spec
    assert matched(routes.match("GET", "/v1/covers/a%2Fb%21")) == ("GetCover", (("book_id", "a/b!"),))


def test_invalid_utf8_escape_survives_as_surrogate_that_protobuf_refuses(bookstore: Bookstore) -> None:
    value = percent_decode("%FF")
    assert value == "\udcff"
    with pytest.raises(ValueError, match="surrogates not allowed"):
        bookstore.pb2.GetCoverRequest(book_id=value)


# --- nested fields, names and route properties ------------------------------------------------------


@pytest.mark.parametrize(
    ("http_method", "path", "expected"),
    [
        ("POST", "/v1/shelves/5/books", ("CreateBook", (("book.shelf", "5"),))),
        ("PATCH", "/v1/shelves/1/books/2", ("UpdateBook", (("book.name", "shelves/1/books/2"),))),
    ],
)
def test_nested_path_fields_bind_by_dotted_path(
    bookstore_table: RouteTable, http_method: str, path: str, expected: object
) -> None:
    assert matched(bookstore_table.match(http_method, path)) == expected


def test_deeply_nested_path_field(routetest: DescriptorSet) -> None:
    routes = table(routetest, ("First.A", "GET", "/authors/{book.author.name}/{book.shelf}"))
    assert matched(routes.match("GET", "/authors/Le%20Guin/9")) == (
        "A",
        (("book.author.name", "Le Guin"), ("book.shelf", "9")),
    )


def test_json_names_resolve_to_proto_names(routetest: DescriptorSet) -> None:
    routes = RouteTable.build([rule(routetest, "First.A", "POST", "/d/{displayName}", body="displayName")])
    found = routes.match("POST", "/d/Ann")
    assert found is not None
    assert found.path_params == (("display_name", "Ann"),)
    assert (found.route.path_fields, found.route.body_field) == (("display_name",), "display_name")


@pytest.mark.parametrize(
    "template",
    ["/k/{num}", "/k/{kind}", "/k/{flag}", "/k/{data}", "/k/{id}", "/k/{book.shelf}", "/k/{book.author.name}"],
)
def test_scalar_and_enum_fields_are_valid_path_variables(routetest: DescriptorSet, template: str) -> None:
    assert RouteTable.build([rule(routetest, "First.A", "GET", template)]).routes[0].template.text == template


def test_route_exposes_rpc_types_and_streaming(bookstore_table: RouteTable) -> None:
    stream = bookstore_table.match("GET", "/v1/shelves/3/books:stream")
    unary = bookstore_table.match("GET", "/v1/shelves/3")
    assert stream is not None and unary is not None
    assert stream.route.rpc == BOOKSTORE + "StreamBooks"
    assert (stream.route.server_streaming, stream.route.client_streaming) == (True, False)
    assert (unary.route.server_streaming, unary.route.client_streaming) == (False, False)
    assert stream.route.input_type.full_name == "bookstore.v1.StreamBooksRequest"
    assert stream.route.output_type.full_name == "bookstore.v1.Book"
    assert (unary.route.http_method, unary.route.method.name) == ("GET", "GetShelf")


def test_every_bookstore_rule_is_routable(bookstore: Bookstore, bookstore_table: RouteTable) -> None:
    bindings = service_bindings(load_descriptor_set(bookstore.descriptor_set))
    assert [(r.http_method, r.template.text, r.rpc) for r in bookstore_table.routes] == [
        (b.http_method, b.template, b.rpc) for b in bindings
    ]
    for route in bookstore_table.routes:
        found = bookstore_table.match(route.http_method, sample_path(route))
        assert found is not None and found.route is route, route.template.text


def sample_path(route: Route) -> str:
    """A request path the route's template matches (each wildcard filled with a distinct value)."""
    parts = [
        segment.text
        if isinstance(segment, Literal)
        else "d1/d2"
        if isinstance(segment, DoubleWildcard)
        else f"w{index}"
        for index, segment in enumerate(route.template.segments)
    ]
    verb = f":{route.template.verb}" if route.template.verb else ""
    return "/" + "/".join(parts) + verb


# --- start-up refusal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        (
            [("First.A", "GET", "/v1/{x}"), ("First.A", "GET", "/v1/{x}")],
            "is already bound GET /v1/{x} of /routetest.v1.First/A",
        ),
        (
            [("First.A", "GET", "/v1/{x}"), ("First.B", "GET", "/v1/{x}")],
            "is already bound GET /v1/{x} of /routetest.v1.First/A",
        ),
        (
            [("First.A", "GET", "/v1/{x}"), ("Second.A", "GET", "/v1/{x}")],
            "is already bound GET /v1/{x} of /routetest.v1.First/A",
        ),
        (
            [("First.A", "GET", "/v1/{x}"), ("First.B", "GET", "/v1/{y}")],
            "matches exactly the same requests as GET /v1/{x} of /routetest.v1.First/A",
        ),
        (
            [("First.A", "GET", "/v1/*"), ("First.B", "GET", "/v1/{y}")],
            "matches exactly the same requests as GET /v1/* of /routetest.v1.First/A",
        ),
        (
            [("First.A", "GET", "/v1/{x=**}"), ("First.B", "GET", "/v1/**")],
            "matches exactly the same requests as GET /v1/{x=**} of /routetest.v1.First/A",
        ),
        (
            [("First.A", "POST", "/v1/{name=a/*}:go"), ("First.B", "POST", "/v1/a/{x}:go")],
            "matches exactly the same requests as POST /v1/{name=a/*}:go of /routetest.v1.First/A",
        ),
    ],
)
def test_duplicate_rule_is_refused(routetest: DescriptorSet, rules: list[tuple[str, str, str]], reason: str) -> None:
    with pytest.raises(RouteError) as raised:
        table(routetest, *rules)
    second_rpc = "/routetest.v1." + rules[1][0].replace(".", "/")
    assert raised.value.rpc == second_rpc
    assert (raised.value.http_method, raised.value.template) == (rules[1][1], rules[1][2])
    assert reason in str(raised.value) and "Envoy would make both unreachable" in str(raised.value)
    assert str(raised.value).startswith(f"{second_rpc}: {rules[1][1]} {rules[1][2]}: ")


@pytest.mark.parametrize(
    "rules",
    [
        [("First.A", "GET", "/v1/{x}"), ("First.B", "POST", "/v1/{x}")],
        [("First.A", "POST", "/v1/{x}"), ("First.B", "POST", "/v1/{x}:go")],
        [("First.A", "POST", "/v1/{x}:go"), ("First.B", "POST", "/v1/{x}:stop")],
        [("First.A", "GET", "/v1/{x}"), ("First.B", "GET", "/v1/{x=**}")],
        [("First.A", "GET", "/v1/{x}"), ("First.B", "GET", "/v1/lit")],
    ],
)
def test_rules_differing_in_method_verb_or_shape_coexist(
    routetest: DescriptorSet, rules: list[tuple[str, str, str]]
) -> None:
    assert len(table(routetest, *rules).routes) == 2


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("/v1/{nope}", "path variable 'nope': routetest.v1.Req has no field 'nope'"),
        ("/v1/{book.nope}", "path variable 'book.nope': routetest.v1.Book has no field 'nope'"),
        ("/v1/{tags}", "path variable 'tags': tags is repeated; path variables must name non-repeated scalar fields"),
        ("/v1/{counts}", "path variable 'counts': counts is a map"),
        ("/v1/{books.name}", "path variable 'books.name': books is repeated"),
        ("/v1/{book.tags}", "path variable 'book.tags': book.tags is repeated"),
        ("/v1/{book}", "path variable 'book': book is a message (routetest.v1.Book); path variables must name scalar"),
        ("/v1/{book.author}", "book.author is a message (routetest.v1.Author)"),
        ("/v1/{x.y}", "path variable 'x.y': x is not a message, it has no field 'y'"),
        ("/v1/{x}/{y=x}/{X}", "routetest.v1.Req has no field 'X'"),
    ],
)
def test_invalid_variable_field_is_refused(routetest: DescriptorSet, template: str, reason: str) -> None:
    with pytest.raises(RouteError) as raised:
        table(routetest, ("First.C", "GET", template))
    assert (raised.value.rpc, raised.value.template) == ("/routetest.v1.First/C", template)
    assert reason in raised.value.reason


def test_field_bound_twice_through_json_and_proto_names_is_refused(routetest: DescriptorSet) -> None:
    with pytest.raises(RouteError, match="a field is bound by more than one variable: display_name, display_name"):
        table(routetest, ("First.A", "GET", "/v1/{display_name}/{displayName}"))


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("v1/{x}", "must start with '/'"),
        ("/v1/{x}/", "trailing '/'"),
        ("/v1/{x={y}}", "nested variables are not allowed"),
        ("/v1/**/x", "'**' must be the last segment"),
        ("", "empty template"),
    ],
)
def test_invalid_template_is_refused_naming_rpc_and_template(
    routetest: DescriptorSet, template: str, reason: str
) -> None:
    with pytest.raises(RouteError) as raised:
        table(routetest, ("First.B", "GET", template))
    assert str(raised.value) == f"/routetest.v1.First/B: GET {template}: {reason}" or reason in raised.value.reason
    assert (raised.value.rpc, raised.value.template, raised.value.http_method) == (
        "/routetest.v1.First/B",
        template,
        "GET",
    )
    assert isinstance(raised.value.__cause__, ValueError)


@pytest.mark.parametrize(
    ("body", "response_body", "reason"),
    [
        ("nope", "", "body 'nope' is not a field of routetest.v1.Req"),
        ("book.name", "", "body 'book.name' must name a top-level field of routetest.v1.Req, not a field path"),
        ("", "nope", "response_body 'nope' is not a field of routetest.v1.Resp"),
        ("*", "value.x", "response_body 'value.x' must name a top-level field of routetest.v1.Resp, not a field path"),
    ],
)
def test_body_must_be_empty_star_or_top_level_field(
    routetest: DescriptorSet, body: str, response_body: str, reason: str
) -> None:
    with pytest.raises(RouteError) as raised:
        RouteTable.build([rule(routetest, "First.A", "POST", "/v1/{x}", body, response_body)])
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    ("body", "response_body", "body_field"),
    [("", "", ""), ("*", "", "*"), ("book", "value", "book"), ("tags", "", "tags")],
)
def test_body_star_or_field_combines_with_path_variables(
    routetest: DescriptorSet, body: str, response_body: str, body_field: str
) -> None:
    routes = RouteTable.build([rule(routetest, "First.A", "POST", "/v1/{book.name=shelves/*}", body, response_body)])
    assert (routes.routes[0].body_field, routes.routes[0].response_body_field) == (body_field, response_body)


def test_nested_additional_bindings_are_refused(routetest: DescriptorSet) -> None:
    with pytest.raises(RouteError, match=r"/routetest.v1.Nested/Get: GET /n2/\{x\}: additional binding #1 has nested"):
        RouteTable.from_descriptor_set(routetest, ["routetest.v1.Nested"])


def test_empty_custom_kind_is_refused(routetest: DescriptorSet) -> None:
    with pytest.raises(RouteError, match="empty HTTP method"):
        table(routetest, ("First.A", "", "/v1/x"))


def test_route_error_is_a_value_error() -> None:
    assert issubclass(RouteError, ValueError)


# --- the platform's own contracts ------------------------------------------------------------------


def test_platform_descriptor_set_builds_a_table(platform_table: RouteTable) -> None:
    assert len(platform_table.routes) == len(service_bindings(load_descriptor_set()))
    assert len(platform_table.routes) > 50


@pytest.mark.parametrize(
    ("http_method", "path", "rpc", "params"),
    [
        ("GET", "/api/products/TOY-0001", CATALOG + "GetProduct", (("product_id", "TOY-0001"),)),
        ("GET", "/api/products", CATALOG + "ListProducts", ()),
        ("GET", "/api/products/", CATALOG + "ListProducts", ()),
        ("POST", "/api/staff/products/TOY-0001:archive", CATALOG + "ArchiveProduct", (("product_id", "TOY-0001"),)),
        ("GET", "/api/products/A:B", CATALOG + "GetProduct", (("product_id", "A:B"),)),
    ],
)
def test_platform_routes_match(
    platform_table: RouteTable, http_method: str, path: str, rpc: str, params: tuple[tuple[str, str], ...]
) -> None:
    found = platform_table.match(http_method, path)
    assert found is not None
    assert (found.route.rpc, found.path_params) == (rpc, params)


def test_every_platform_rule_is_routable(platform_table: RouteTable) -> None:
    for route in platform_table.routes:
        found = platform_table.match(route.http_method, sample_path(route))
        assert found is not None and found.route is route, f"{route.http_method} {route.template.text}"


def test_descriptor_set_path_is_accepted(bookstore: Bookstore) -> None:
    assert isinstance(bookstore.descriptor_path, Path)
    routes = RouteTable.from_descriptor_set(bookstore.descriptor_path, ["bookstore.v1.Bookstore"])
    assert routes.match("GET", "/v1/shelves") is not None
