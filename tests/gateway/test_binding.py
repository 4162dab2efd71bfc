"""Request binding (path variables, query parameters, body) as Envoy's grpc_json_transcoder does it.

Every case goes through the real route table of the bookstore test contract, so a request here is
bound exactly as the gateway binds it: `bind("GET", "/v1/echo/x", "i32=5")`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.gateway.binding import BindingError, build_request
from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.gateway.routes import Match, RouteTable
from hph.runtime.errors import reason_text


class Bookstore(Protocol):
    """What this module uses of conftest's `bookstore` fixture."""

    pb2: ModuleType
    descriptor_set: bytes


@dataclass
class Binder:
    """Binds requests against the bookstore routes and returns the bookstore_pb2 message."""

    bookstore: Bookstore
    descriptors: DescriptorSet
    table: RouteTable

    def match(self, method: str, path: str) -> Match:
        found = self.table.match(method, path)
        assert found is not None, f"no route for {method} {path}"
        return found

    def bind(
        self, method: str, path: str, query: str = "", body: bytes = b"", content_type: str = "application/json"
    ) -> Any:
        return self.bind_match(self.match(method, path), query, body, content_type)

    def bind_match(
        self, match: Match, query: str = "", body: bytes = b"", content_type: str = "application/json"
    ) -> Any:
        input_type = match.route.input_type
        built = build_request(match, query, body, content_type, self.descriptors.message_class(input_type))
        assert built.DESCRIPTOR.full_name == input_type.full_name
        # Back into the compiled module's class so tests compare against bookstore_pb2 messages.
        return getattr(self.bookstore.pb2, input_type.name).FromString(built.SerializeToString())

    def error(self, method: str, path: str, query: str = "", body: bytes = b"", content_type: str = "") -> BindingError:
        with pytest.raises(BindingError) as raised:
            self.bind(method, path, query, body, content_type or "application/json")
        assert raised.value.status == 400
        return raised.value

    def echo(self, query: str = "", body: bytes = b"") -> dict[str, Any]:
        """POST /v1/echo/x (body "*") as proto3 JSON, for compact expectations."""
        return as_json(self.bind("POST", "/v1/echo/x", query, body))

    def echo_query(self, query: str) -> dict[str, Any]:
        return as_json(self.bind("GET", "/v1/echo/x", query))


def as_json(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


@pytest.fixture(scope="module")
def binder(bookstore: Bookstore) -> Binder:
    descriptors = load_descriptor_set(bookstore.descriptor_set)
    return Binder(bookstore, descriptors, RouteTable.build(service_bindings(descriptors)))


# ------------------------------------------------------------------------------ path variables


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/v1/shelves/42", {"shelf": "42"}),
        ("GET", "/v1/shelves/-7", {"shelf": "-7"}),
        ("GET", "/v1/stores/s1/shelves/3", {"store": "s1", "shelf": "3"}),
        ("GET", "/v1/fail/5", {"code": 5}),
        ("GET", "/v1/echo/hello%20world", {"id": "hello world"}),
        ("GET", "/v1/shelves/1/books/2", {"name": "shelves/1/books/2"}),
        ("GET", "/v1/files/a/b%2Fc/d", {"path": "a/b%2Fc/d"}),
        ("GET", "/v1/shelves/9/books:stream", {"shelf": "9"}),
        ("POST", "/v1/shelves/1/books/2:checkout", {"name": "shelves/1/books/2"}),
    ],
)
def test_path_variables_set_fields_converted_to_their_type(
    binder: Binder, method: str, path: str, expected: dict[str, Any]
) -> None:
    assert as_json(binder.bind(method, path)) == expected


def test_nested_path_variable_sets_a_field_of_a_sub_message(binder: Binder) -> None:
    request = binder.bind("POST", "/v1/shelves/7/books", body=b'{"title": "Dune"}')
    assert request == binder.bookstore.pb2.CreateBookRequest(book=binder.bookstore.pb2.Book(shelf=7, title="Dune"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ((("i32", "-12"),), {"i32": -12}),
        ((("i64", "9223372036854775807"),), {"i64": "9223372036854775807"}),
        ((("u64", "18446744073709551615"),), {"u64": "18446744073709551615"}),
        ((("flag", "true"),), {"flag": True}),
        ((("genre", "GENRE_HISTORY"),), {"genre": "GENRE_HISTORY"}),
        ((("genre", "1"),), {"genre": "GENRE_FICTION"}),
        ((("dbl", "2.5"),), {"dbl": 2.5}),
        ((("page.size", "3"),), {"page": {"size": 3}}),
    ],
)
def test_path_values_convert_like_query_values(
    binder: Binder, params: tuple[tuple[str, str], ...], expected: dict[str, Any]
) -> None:
    # Routes only bind strings in the bookstore; a Match with other field types shows the conversion.
    match = Match(binder.match("GET", "/v1/echo/x").route, params)
    assert as_json(binder.bind_match(match)) == expected


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/shelves/abc", "shelf"),
        ("/v1/shelves/9223372036854775808", "shelf"),
        ("/v1/shelves/1.5", "shelf"),
        ("/v1/fail/2147483648", "code"),
        ("/v1/echo/%FF", "id"),  # invalid UTF-8 is refused for a string field
    ],
)
def test_path_conversion_failure_is_400_naming_the_field(binder: Binder, path: str, field: str) -> None:
    error = binder.error("GET", path)
    assert error.field == field
    assert field in error.message


# ---------------------------------------------------------------------------- query parameters


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("i32=5", {"i32": 5}),
        ("i32=-5", {"i32": -5}),
        ("i32=%2B5", {"i32": 5}),
        ("i64=-9223372036854775808", {"i64": "-9223372036854775808"}),
        ("u64=18446744073709551615", {"u64": "18446744073709551615"}),
        ("dbl=1.5", {"dbl": 1.5}),
        ("dbl=1e3", {"dbl": 1000.0}),
        ("dbl=NaN", {"dbl": "NaN"}),
        ("dbl=-Infinity", {"dbl": "-Infinity"}),
        ("flt=0.25", {"flt": 0.25}),
        ("flag=true", {"flag": True}),
        ("flag=1", {"flag": True}),
        ("flag=YES", {"flag": True}),
        ("flag=t", {"flag": True}),
        ("flag=false&i32=1", {"i32": 1}),
        ("flag=n&i32=1", {"i32": 1}),
        ("data=aGk%3D", {"data": base64.b64encode(b"hi").decode()}),
        ("data=aGk", {"data": base64.b64encode(b"hi").decode()}),
        ("data=-_8", {"data": base64.b64encode(b"\xfb\xff").decode()}),
        ("genre=GENRE_HISTORY", {"genre": "GENRE_HISTORY"}),
        ("genre=2", {"genre": "GENRE_HISTORY"}),
        ("tags=a&tags=b", {"tags": ["a", "b"]}),
        ("numbers=1&numbers=-2", {"numbers": [1, -2]}),
        ("tags=", {"tags": [""]}),
        ("page.size=10&page.token=t1", {"page": {"size": 10, "token": "t1"}}),
        ("receivedMetadata=a&received_metadata=b", {"received_metadata": ["a", "b"]}),
        ("at=2024-01-02T03:04:05.5Z", {"at": "2024-01-02T03:04:05.500Z"}),
        ("at=2024-01-02T04:04:05%2B01:00", {"at": "2024-01-02T03:04:05Z"}),
        ("at.seconds=60", {"at": "1970-01-01T00:01:00Z"}),
        ("wait=1.5s", {"wait": "1.500s"}),
        ("wait=-2s", {"wait": "-2s"}),
        ("mask=title,page.size", {"mask": "title,page.size"}),
        ("maybe=0", {"maybe": 0}),
        ("maybe=-4", {"maybe": -4}),
        ("note=hi", {"note": "hi"}),
        ("anything=text", {"anything": "text"}),
        ("first=a", {"first": "a"}),
        ("first=a&second=3", {"second": 3}),
        ("i32=1&i32=2", {"i32": 2}),
    ],
)
def test_query_parameters_bind_every_scalar_and_well_known_type(
    binder: Binder, query: str, expected: dict[str, Any]
) -> None:
    assert binder.echo_query(query) == {"id": "x", **expected}


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("tags=a+b", "a b"),  # "+" is a space, as browsers send it (query_param_unescape_plus)
        ("tags=a%2Bb", "a+b"),  # a literal plus arrives escaped and stays a plus
        ("tags=a+%2B+b", "a + b"),
        ("tags=C%2B%2B+caf%C3%A9", "C++ café"),
        ("tags=a%20b", "a b"),
        ("tags=caf%C3%A9", "café"),
        ("tags=100%25", "100%"),
        ("tags=%zz%4", "%zz%4"),  # invalid escapes stay as they are
        ("tags=a=b", "a=b"),
        ("tags=%26", "&"),
    ],
)
def test_query_values_are_percent_decoded_and_plus_is_a_space(binder: Binder, query: str, value: str) -> None:
    assert binder.echo_query(query)["tags"] == [value]


def test_query_parameters_without_a_value_or_name_are_ignored(binder: Binder) -> None:
    assert binder.echo_query("flag&=x&&i32=1") == {"id": "x", "i32": 1}


def test_query_names_may_be_proto_or_json_names_nested_and_repeated(binder: Binder) -> None:
    pb2 = binder.bookstore.pb2
    by_proto = binder.bind("GET", "/v1/shelves", "page.size=10&theme=a&theme=b&min_books=3&genre=GENRE_FICTION")
    by_json = binder.bind("GET", "/v1/shelves", "page.size=10&theme=a&theme=b&minBooks=3&genre=1")
    expected = pb2.ListShelvesRequest(page=pb2.Page(size=10), theme=["a", "b"], min_books=3, genre=1)
    assert by_proto == expected
    assert by_json == expected


def test_a_percent_encoded_query_name_is_tried_unescaped(binder: Binder) -> None:
    assert binder.bind("GET", "/v1/shelves", "min%5Fbooks=3").min_books == 3


def test_query_value_overrides_the_path_value(binder: Binder) -> None:
    assert binder.bind("GET", "/v1/echo/from-path", "id=from-query").id == "from-query"


def test_query_parameters_are_bound_with_body_star(binder: Binder) -> None:
    assert binder.echo("i64=7&tags=q", b'{"i32": 1}') == {"id": "x", "i32": 1, "i64": "7", "tags": ["q"]}


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("nope=1", "nope", "UNKNOWN_QUERY_PARAMETER"),
        ("page.nope=1", "page.nope", "UNKNOWN_QUERY_PARAMETER"),
        ("Page.size=1", "Page.size", "UNKNOWN_QUERY_PARAMETER"),
        ("shelves.id=1", "shelves.id", "INVALID_QUERY_PARAMETER"),
        ("shelves=1", "shelves", "INVALID_QUERY_PARAMETER"),
        ("counts.a=1", "counts.a", "INVALID_QUERY_PARAMETER"),
        ("counts=1", "counts", "INVALID_QUERY_PARAMETER"),
        ("page=1", "page", "INVALID_QUERY_PARAMETER"),
        ("extra=1", "extra", "INVALID_QUERY_PARAMETER"),
        ("i32.x=1", "i32.x", "INVALID_QUERY_PARAMETER"),
    ],
)
def test_query_parameters_that_cannot_be_bound_are_400_naming_them(
    binder: Binder, query: str, field: str, reason: str
) -> None:
    error = binder.error("GET", "/v1/echo/x", query)
    assert (error.field, reason_text(error.reason)) == (field, reason)
    assert field in error.message


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("i32=abc", "i32"),
        ("i32=", "i32"),
        ("i32=1.5", "i32"),
        ("i32=%201", "i32"),
        ("i32=2147483648", "i32"),
        ("i32=-2147483649", "i32"),
        ("i64=9223372036854775808", "i64"),
        ("u64=-1", "u64"),
        ("numbers=1&numbers=x", "numbers"),
        ("page.size=big", "page.size"),
        ("dbl=abc", "dbl"),
        ("dbl=1e999", "dbl"),
        ("flt=1e39", "flt"),
        ("flag=maybe", "flag"),
        ("flag=", "flag"),
        ("data=a", "data"),
        ("data=a*b%3D", "data"),
        ("genre=GENRE_NOPE", "genre"),
        ("genre=7", "genre"),
        ("at=yesterday", "at"),
        ("at=2024-01-02T03:04:05", "at"),
        ("wait=1.5", "wait"),
        ("maybe=abc", "maybe"),
        ("tags=%FF", "tags"),
    ],
)
def test_query_type_errors_are_400_naming_the_field(binder: Binder, query: str, field: str) -> None:
    error = binder.error("GET", "/v1/echo/x", query)
    assert error.field == field
    assert field in error.message


# ----------------------------------------------------------------------------------------- body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", {}),
        (b"{}", {}),
        (b'{"i32": 5, "tags": ["a", "b"]}', {"i32": 5, "tags": ["a", "b"]}),
        (b'{"i32": 5.0}', {"i32": 5}),
        (b'{"i32": "5"}', {"i32": 5}),
        (b'{"i64": "9007199254740993"}', {"i64": "9007199254740993"}),
        (b'{"i64": 9007199254740993}', {"i64": "9007199254740993"}),
        (b'{"u64": 18446744073709551615}', {"u64": "18446744073709551615"}),
        (b'{"dbl": 0.1, "flt": "Infinity"}', {"dbl": 0.1, "flt": "Infinity"}),
        (b'{"flag": true}', {"flag": True}),
        (b'{"data": "AAFiaW4="}', {"data": "AAFiaW4="}),
        (b'{"data": "AAFiaW4"}', {"data": "AAFiaW4="}),
        (b'{"genre": "GENRE_FICTION"}', {"genre": "GENRE_FICTION"}),
        (b'{"genre": 2}', {"genre": "GENRE_HISTORY"}),
        (b'{"genre": "2"}', {"genre": "GENRE_HISTORY"}),
        (b'{"genre": 9}', {"genre": 9}),  # proto3 enums are open
        (b'{"page": {"size": 2, "nope": 1}}', {"page": {"size": 2}}),
        (b'{"page": {}}', {"page": {}}),
        (b'{"shelves": [{"id": "1"}, {"id": 2, "theme": "t"}]}', {"shelves": [{"id": "1"}, {"id": "2", "theme": "t"}]}),
        (b'{"counts": {"a": 1, "b": "2"}}', {"counts": {"a": 1, "b": 2}}),
        (b'{"at": "2024-01-02T03:04:05Z"}', {"at": "2024-01-02T03:04:05Z"}),
        (b'{"wait": "0.000001s"}', {"wait": "0.000001s"}),
        (b'{"mask": "title,page.size"}', {"mask": "title,page.size"}),
        (b'{"maybe": 0}', {"maybe": 0}),
        (b'{"note": ""}', {"note": ""}),
        (b'{"extra": {"k": [1, "x", null, true]}}', {"extra": {"k": [1, "x", None, True]}}),
        (b'{"anything": null}', {"anything": None}),
        (b'{"anything": {"a": 1}}', {"anything": {"a": 1}}),
        (b'{"second": 0}', {"second": 0}),
        (b'{"first": null, "second": 4}', {"second": 4}),
        (b'{"receivedMetadata": ["m"]}', {"received_metadata": ["m"]}),
        (b'{"i32": null, "page": null}', {}),
        (b'{"nope": {"deep": [1]}, "i32": 2}', {"i32": 2}),
        ('{"note": "caf\u00e9 \u2603"}'.encode(), {"note": "caf\u00e9 \u2603"}),
    ],
)
def test_body_star_maps_the_json_object_onto_the_message(binder: Binder, body: bytes, expected: dict[str, Any]) -> None:
    assert binder.echo(body=body) == {"id": "x", **expected}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"i32": "abc"}', "i32"),
        (b'{"i32": 2147483648}', "i32"),
        (b'{"i32": 1.5}', "i32"),
        (b'{"i32": true}', "i32"),
        (b'{"i64": "1.5"}', "i64"),
        (b'{"i64": 9223372036854775808}', "i64"),
        (b'{"u64": -1}', "u64"),
        (b'{"dbl": "x"}', "dbl"),
        (b'{"dbl": 1e999}', "dbl"),
        (b'{"flt": 1e39}', "flt"),
        (b'{"flag": "maybe"}', "flag"),
        (b'{"flag": 1}', "flag"),
        (b'{"data": "!!!"}', "data"),
        (b'{"data": "a"}', "data"),
        (b'{"data": 5}', "data"),
        (b'{"id": 5}', "id"),
        (b'{"genre": "GENRE_NOPE"}', "genre"),
        (b'{"genre": "7"}', "genre"),
        (b'{"genre": true}', "genre"),
        (b'{"tags": "not-a-list"}', "tags"),
        (b'{"tags": [null]}', "tags[0]"),
        (b'{"numbers": [1, "two"]}', "numbers[1]"),
        (b'{"page": 5}', "page"),
        (b'{"page": "xyz"}', "page"),
        (b'{"page": [1]}', "page"),
        (b'{"page": {"size": "big"}}', "page.size"),
        (b'{"shelves": [{"id": "x"}]}', "shelves[0].id"),
        (b'{"shelves": {"id": 1}}', "shelves"),
        (b'{"counts": {"a": "b"}}', "counts[a]"),
        (b'{"counts": []}', "counts"),
        (b'{"at": "yesterday"}', "at"),
        (b'{"at": 5}', "at"),
        (b'{"wait": "forever"}', "wait"),
        (b'{"mask": 3}', "mask"),
        (b'{"maybe": "none"}', "maybe"),
        (b'{"note": 5}', "note"),
        (b'{"extra": 5}', "extra"),
        (b'{"first": "a", "second": 1}', "second"),
        (b'{"tags": ["a"], "receivedMetadata": [], "received_metadata": []}', "received_metadata"),
        (b'{"note": "\\ud800"}', "note"),
    ],
)
def test_body_type_errors_are_400_naming_the_field(binder: Binder, body: bytes, field: str) -> None:
    error = binder.error("POST", "/v1/echo/x", body=body)
    assert error.field == field
    assert field in error.message
    assert error.reason == ErrorReason.ERROR_REASON_INVALID_ARGUMENT


@pytest.mark.parametrize(
    "body",
    [
        b"{bad",
        b'{"i32": 1} trailing',
        b'{"i32": 1}{}',
        b'{"note": "\xff"}',
        b"\xef\xbb\xbf{}",  # a byte order mark is not JSON
        b"[1, 2]",
        b'"text"',
        b"null",
        b"NaN",
        b'{"dbl": NaN}',
        b'{"dbl": -Infinity}',
        b'{"i32": 1, "i32": 2}',
        b"   ",
        b"{'i32': 1}",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_invalid_json_is_400(binder: Binder, body: bytes) -> None:
    error = binder.error("POST", "/v1/echo/x", body=body)
    assert error.reason == ErrorReason.ERROR_REASON_INVALID_JSON
    assert error.field == ""


def test_deeply_nested_messages_are_refused(binder: Binder) -> None:
    body = b'{"anything": ' + b'{"a": ' * 150 + b"1" + b"}" * 151
    assert binder.error("POST", "/v1/echo/x", body=body).field == "anything"


def test_body_field_maps_the_json_value_onto_that_field(binder: Binder) -> None:
    pb2 = binder.bookstore.pb2
    request = binder.bind("POST", "/v1/shelves", "requester=me", b'{"id": "9", "theme": "t", "nope": 1}')
    assert request == pb2.CreateShelfRequest(shelf=pb2.Shelf(id=9, theme="t"), requester="me")


def test_body_field_with_path_variable_and_query_field_mask(binder: Binder) -> None:
    pb2 = binder.bookstore.pb2
    body = b'{"title": "New", "publishedAt": "2020-01-01T00:00:00Z"}'
    request = binder.bind("PATCH", "/v1/shelves/1/books/2", "update_mask=title,author", body)
    expected = pb2.UpdateBookRequest(book=pb2.Book(name="shelves/1/books/2", title="New"))
    expected.book.published_at.FromJsonString("2020-01-01T00:00:00Z")
    expected.update_mask.FromJsonString("title,author")
    assert request == expected


def test_body_field_top_level_fields_in_the_body_are_not_bound(binder: Binder) -> None:
    # The body is the shelf itself: a "requester" key in it is an (ignored) unknown Shelf field.
    request = binder.bind("POST", "/v1/shelves", body=b'{"id": 1, "requester": "me"}')
    assert request.requester == ""


@pytest.mark.parametrize(("body", "field"), [(b"[1]", "shelf"), (b'"x"', "shelf"), (b'{"id": "x"}', "shelf.id")])
def test_body_field_type_errors_name_the_field_path(binder: Binder, body: bytes, field: str) -> None:
    assert binder.error("POST", "/v1/shelves", body=body).field == field


def test_empty_body_for_a_message_body_field_makes_it_present(binder: Binder) -> None:
    # Envoy translates a missing body as "{}" under the body field.
    request = binder.bind("POST", "/v1/shelves")
    assert request.HasField("shelf")
    assert request.shelf == binder.bookstore.pb2.Shelf()


def test_body_with_no_body_rule_is_still_parsed_onto_the_message(binder: Binder) -> None:
    assert binder.bind("GET", "/v1/echo/x", body=b'{"i32": 7}').i32 == 7
    assert binder.bind("GET", "/v1/shelves", "genre=1", b'{"min_books": 2}').min_books == 2
    assert binder.error("GET", "/v1/echo/x", body=b"{bad").reason == ErrorReason.ERROR_REASON_INVALID_JSON


def test_http_body_field_takes_the_raw_bytes_and_content_type(binder: Binder) -> None:
    raw = b"\x89PNG\r\n\x1a\n\x00\xff not json"
    request = binder.bind("POST", "/v1/covers/b1", body=raw, content_type="image/png")
    assert request.book_id == "b1"
    assert request.http_body.data == raw
    assert request.http_body.content_type == "image/png"


def test_http_body_field_with_an_empty_body(binder: Binder) -> None:
    request = binder.bind("POST", "/v1/covers/b1", body=b"", content_type="text/plain")
    assert request.HasField("http_body")
    assert (request.http_body.data, request.http_body.content_type) == (b"", "text/plain")


# ------------------------------------------------------------------------------------ collisions


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        ("i32=2", b'{"i32": 2}', {"i32": 2}),
        ("i64=12", b'{"i64": 12}', {"i64": "12"}),
        ("dbl=0.1", b'{"dbl": 0.1}', {"dbl": 0.1}),
        ("genre=1", b'{"genre": "GENRE_FICTION"}', {"genre": "GENRE_FICTION"}),
        ("flag=true", b'{"flag": true}', {"flag": True}),
        ("page.size=3", b'{"page": {"size": 3}}', {"page": {"size": 3}}),
        ("at=2024-01-02T04:04:05%2B01:00", b'{"at": "2024-01-02T03:04:05Z"}', {"at": "2024-01-02T03:04:05Z"}),
        ("maybe=0", b'{"maybe": 0}', {"maybe": 0}),
        ("i32=4", b'{"i32": null}', {"i32": 4}),  # null in the body sets nothing
        ("tags=q&tags=r", b'{"tags": ["b"]}', {"tags": ["b", "q", "r"]}),  # repeated: body, then bindings
    ],
)
def test_a_binding_that_agrees_with_the_body_or_repeats_is_accepted(
    binder: Binder, query: str, body: bytes, expected: dict[str, Any]
) -> None:
    assert binder.echo(query, body) == {"id": "x", **expected}


@pytest.mark.parametrize(
    ("query", "body", "field"),
    [
        ("i32=1", b'{"i32": 2}', "i32"),
        ("i32=1", b'{"i32": 0}', "i32"),
        ("note=a", b'{"note": "b"}', "note"),
        ("page.size=3", b'{"page": {"size": 4}}', "page.size"),
        ("genre=GENRE_HISTORY", b'{"genre": 1}', "genre"),
        ("at=2024-01-02T03:04:06Z", b'{"at": "2024-01-02T03:04:05Z"}', "at"),
        ("second=2", b'{"second": 3}', "second"),
    ],
)
def test_a_query_binding_that_conflicts_with_the_body_is_400(
    binder: Binder, query: str, body: bytes, field: str
) -> None:
    error = binder.error("POST", "/v1/echo/x", query, body)
    assert (error.field, error.reason) == (field, ErrorReason.ERROR_REASON_BINDING_BODY_CONFLICT)
    assert f"of the field {field} is conflicting" in error.message


def test_a_path_binding_that_conflicts_with_the_body_is_400(binder: Binder) -> None:
    # Envoy weaves path variables like query parameters (RequestWeaver::CollisionCheck).
    assert binder.error("POST", "/v1/echo/x", body=b'{"id": "y"}').field == "id"
    assert binder.error("POST", "/v1/shelves/7/books", body=b'{"shelf": 8}').field == "book.shelf"
    assert binder.bind("POST", "/v1/shelves/7/books", body=b'{"shelf": "7"}').book.shelf == 7
    error = binder.error("PATCH", "/v1/shelves/1/books/2", body=b'{"name": "shelves/1/books/3"}')
    assert error.field == "book.name"
    agreeing = binder.bind("PATCH", "/v1/shelves/1/books/2", body=b'{"name": "shelves/1/books/2"}')
    assert agreeing.book.name == "shelves/1/books/2"


def test_body_field_collisions_use_the_full_field_path(binder: Binder) -> None:
    error = binder.error("POST", "/v1/shelves", "shelf.theme=a", b'{"theme": "b"}')
    assert error.field == "shelf.theme"
    assert binder.bind("POST", "/v1/shelves", "shelf.theme=a", b'{"id": 1}').shelf.theme == "a"


def test_binding_error_is_a_value_error_with_field_message_reason_and_status() -> None:
    error = BindingError("a.b", "a.b: wrong", reason=ErrorReason.ERROR_REASON_INVALID_JSON)
    assert isinstance(error, ValueError)
    assert (error.field, error.message, error.reason, error.status, str(error)) == (
        "a.b",
        "a.b: wrong",
        ErrorReason.ERROR_REASON_INVALID_JSON,
        400,
        "a.b: wrong",
    )
