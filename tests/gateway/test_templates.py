"""Path template parsing: every valid form of the google.api.http grammar and every invalid one."""

from __future__ import annotations

import pytest

from hph.gateway.templates import (
    DoubleWildcard,
    Literal,
    PathTemplate,
    TemplateError,
    Variable,
    Wildcard,
    parse_template,
)

STAR = Wildcard()
STARS = DoubleWildcard()


@pytest.mark.parametrize(
    ("text", "segments", "variables", "verb"),
    [
        ("/", (), (), None),
        ("/v1", (Literal("v1"),), (), None),
        ("/v1/shelves", (Literal("v1"), Literal("shelves")), (), None),
        ("/v1/*", (Literal("v1"), STAR), (), None),
        ("/v1/**", (Literal("v1"), STARS), (), None),
        ("/v1/*/books", (Literal("v1"), STAR, Literal("books")), (), None),
        ("/v1/shelves/{shelf}", (Literal("v1"), Literal("shelves"), STAR), (Variable(("shelf",), 2, 3),), None),
        ("/v1/shelves/{shelf=*}", (Literal("v1"), Literal("shelves"), STAR), (Variable(("shelf",), 2, 3),), None),
        (
            "/v1/shelves/{book.shelf}/books",
            (Literal("v1"), Literal("shelves"), STAR, Literal("books")),
            (Variable(("book", "shelf"), 2, 3),),
            None,
        ),
        (
            "/v1/{name=shelves/*/books/*}",
            (Literal("v1"), Literal("shelves"), STAR, Literal("books"), STAR),
            (Variable(("name",), 1, 5),),
            None,
        ),
        ("/v1/files/{path=**}", (Literal("v1"), Literal("files"), STARS), (Variable(("path",), 2, None),), None),
        (
            "/v1/{name=files/**}",
            (Literal("v1"), Literal("files"), STARS),
            (Variable(("name",), 1, None),),
            None,
        ),
        (
            "/v1/{name=shelves/*/books/*}:checkout",
            (Literal("v1"), Literal("shelves"), STAR, Literal("books"), STAR),
            (Variable(("name",), 1, 5),),
            "checkout",
        ),
        (
            "/v1/files/{path=**}:download",
            (Literal("v1"), Literal("files"), STARS),
            (Variable(("path",), 2, None),),
            "download",
        ),
        ("/v1/shelves:batchGet", (Literal("v1"), Literal("shelves")), (), "batchGet"),
        ("/v1/{a}/{b}", (Literal("v1"), STAR, STAR), (Variable(("a",), 1, 2), Variable(("b",), 2, 3)), None),
        ("/v1/{x=lit}", (Literal("v1"), Literal("lit")), (Variable(("x",), 1, 2),), None),
        ("/{_under.Score_9}", (STAR,), (Variable(("_under", "Score_9"), 0, 1),), None),
        ("/v1/a%2Fb/x-y_z.~!$&'()+,;=@", (Literal("v1"), Literal("a%2Fb"), Literal("x-y_z.~!$&'()+,;=@")), (), None),
        (
            "/api/users/me/payment-methods",
            (Literal("api"), Literal("users"), Literal("me"), Literal("payment-methods")),
            (),
            None,
        ),
    ],
)
def test_valid_template_parses(
    text: str, segments: tuple[object, ...], variables: tuple[Variable, ...], verb: str | None
) -> None:
    assert parse_template(text) == PathTemplate(text, segments, variables, verb)  # type: ignore[arg-type]


def test_bare_variable_means_single_wildcard() -> None:
    short, explicit = parse_template("/v1/{id}"), parse_template("/v1/{id=*}")
    assert (short.segments, short.variables) == (explicit.segments, explicit.variables)


@pytest.mark.parametrize(
    ("text", "multi_segment"),
    [
        ("/v1/{id}", False),
        ("/v1/{id=*}", False),
        ("/v1/{id=lit}", False),
        ("/v1/{name=shelves/*}", True),
        ("/v1/{path=**}", True),  # multi-segment even when "**" captures one segment, as in Envoy
    ],
)
def test_variable_is_multi_segment_when_it_spans_segments_or_ends_with_double_wildcard(
    text: str, multi_segment: bool
) -> None:
    assert parse_template(text).variables[0].is_multi_segment is multi_segment


def test_template_renders_as_its_text() -> None:
    assert str(parse_template("/v1/{name=shelves/*}:x")) == "/v1/{name=shelves/*}:x"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty template"),
        ("v1/shelves", "must start with '/'"),
        ("*/v1", "must start with '/'"),
        ("//", "empty segment ('//')"),
        ("/v1//shelves", "empty segment ('//')"),
        ("/v1/", "trailing '/'"),
        ("/v1/shelves/", "trailing '/'"),
        ("/v1/{name=shelves/}", "empty segment before '}'"),
        ("/v1/{a={b}}", "nested variables are not allowed"),
        ("/v1/{a=x/{b}}", "nested variables are not allowed"),
        ("/v1/{a{b}}", "nested variables are not allowed"),
        ("/v1/a{b}", "a variable must be a whole segment"),
        ("/v1/{b}a", "a variable must be a whole segment"),
        ("/v1/{b}{c}", "a variable must be a whole segment"),
        ("/v1/**/books", "'**' must be the last segment"),
        ("/v1/{path=**}/books", "'**' must be the last segment"),
        ("/v1/{path=a/**/b}", "'**' must be the last segment"),
        ("/**/{id}", "'**' must be the last segment"),
        ("/v1/shelves:", "empty verb"),
        ("/v1/{name}:", "empty verb"),
        ("/v1/a:b/c", "':' may only introduce the final verb"),
        ("/v1/a:b:c", "':' may only introduce the final verb"),
        ("/v1/{name=a:b}", "unexpected ':' inside a variable"),
        ("/:verb", "empty segment before ':'"),
        ("/v1/{}", "invalid field path ''"),
        ("/v1/{1id}", "invalid field path '1id'"),
        ("/v1/{product-id}", "invalid field path 'product-id'"),
        ("/v1/{book.}", "invalid field path 'book.'"),
        ("/v1/{.shelf}", "invalid field path '.shelf'"),
        ("/v1/{book..shelf}", "invalid field path 'book..shelf'"),
        ("/v1/{na me}", "invalid field path 'na me'"),
        ("/v1/{a/b}", "nested variables are not allowed"),
        ("/v1/{id", "unbalanced '{'"),
        ("/v1/{name=shelves/*", "unbalanced '{'"),
        ("/v1/id}", "unbalanced '}'"),
        ("/v1/{id}}", "unbalanced '}'"),
        ("/v1/a:b}", "unbalanced '}'"),
        ("/v1/{id}/{id}", "variable 'id' appears more than once"),
        ("/v1/{book.name}/{book.name=x/*}", "variable 'book.name' appears more than once"),
        ("/v1/{id=}", "empty template after '='"),
        ("/v1/*a", "'*' and '**' must be whole segments"),
        ("/v1/***", "'*' and '**' must be whole segments"),
        ("/v1/a*", "'*' and '**' must be whole segments"),
        ("/v1/a b", "invalid character in segment 'a b'"),
        ("/v1/a?b", "invalid character in segment 'a?b'"),
        ("/v1/a#b", "invalid character in segment 'a#b'"),
        ("/v1/%zz", "invalid character in segment '%zz'"),
        ("/v1/x:a b", "invalid character in verb 'a b'"),
        ("/v1/x:*", "'*' and '**' must be whole segments"),
    ],
)
def test_invalid_template_is_rejected_naming_template_and_problem(text: str, reason: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_template(text)
    assert raised.value.template == text
    assert reason in raised.value.reason
    assert repr(text) in str(raised.value) and reason in str(raised.value)


def test_template_error_is_a_value_error() -> None:
    assert issubclass(TemplateError, ValueError)
