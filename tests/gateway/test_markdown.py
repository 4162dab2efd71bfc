"""The Markdown of API descriptions rendered for the /docs page: structure, inline marks, escaping."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hph.gateway.markdown import render, render_inline


def test_paragraphs_are_separated_by_blank_lines_and_joined_within() -> None:
    assert render("One line\nwrapped.\n\nSecond paragraph.") == "<p>One line wrapped.</p><p>Second paragraph.</p>"
    assert render("") == ""


def test_a_bullet_list_interrupts_a_paragraph_and_items_continue_on_indented_lines() -> None:
    text = (
        "What counts:\n"
        "- revenue: an order counts at\n"
        "  the moment it was paid;\n"
        "* refunds count when issued;\n"
        "+ time: UTC.\n"
        "Figures are cached."
    )
    assert render(text) == (
        "<p>What counts:</p>"
        "<ul><li>revenue: an order counts at the moment it was paid;</li>"
        "<li>refunds count when issued;</li><li>time: UTC.</li></ul>"
        "<p>Figures are cached.</p>"  # an unindented line ends the list (no lazy continuation)
    )


def test_numbered_lists_keep_their_start_and_nest_lists_and_paragraphs() -> None:
    text = (
        "3. Leaf fields are\n   classified:\n   - by the path;\n   - by the body.\n\n   A second paragraph.\n\n4) Last."
    )
    assert render(text) == (
        '<ol start="3"><li><p>Leaf fields are classified:</p>'
        "<ul><li>by the path;</li><li>by the body.</li></ul><p>A second paragraph.</p></li>"
        "<li>Last.</li></ol>"
    )
    assert render("1. one\n\n2. two") == "<ol><li>one</li><li>two</li></ol>"  # a blank line keeps one list
    assert render("- a\n1. b") == "<ul><li>a</li></ul><ol><li>b</li></ol>"  # another kind, another list


def test_only_a_list_starting_at_one_interrupts_a_paragraph() -> None:
    assert render("The year\n2024. was busy") == "<p>The year 2024. was busy</p>"
    assert render("Steps:\n1. first") == "<p>Steps:</p><ol><li>first</li></ol>"


def test_code_blocks_keep_their_lines() -> None:
    assert render("Example:\n\n    GET /v1/x\n      <y>\n\nAfter.") == (
        "<p>Example:</p><pre><code>GET /v1/x\n  &lt;y&gt;</code></pre><p>After.</p>"
    )
    assert render("```\n*a* <b>\n```\ntext") == "<pre><code>*a* &lt;b&gt;</code></pre><p>text</p>"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**strong** and __strong__", "<strong>strong</strong> and <strong>strong</strong>"),
        ("*em* and _em_", "<em>em</em> and <em>em</em>"),
        ("snake_case_name, HPH_JSON_EMIT_DEFAULTS, 2*3*4", "snake_case_name, HPH_JSON_EMIT_DEFAULTS, 2*3*4"),
        ("a * b * c, a _ b", "a * b * c, a _ b"),
        ("`code *not em*` and ``a ` tick``", "<code>code *not em*</code> and <code>a ` tick</code>"),
        ("an `unclosed span", "an `unclosed span"),
        ('`<b>` & "q"', "<code>&lt;b&gt;</code> &amp; &quot;q&quot;"),
    ],
)
def test_inline_marks(text: str, html: str) -> None:
    assert render_inline(text) == html


def test_raw_html_is_shown_not_passed_through() -> None:
    rendered = render('<script>alert("x")</script>\n- <img src=x onerror=alert(1)>\n\n`<a>`\n\n    <iframe>')
    assert "<script" not in rendered and "<img" not in rendered and "<iframe" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li>" in rendered
    assert "<code>&lt;a&gt;</code>" in rendered and "<pre><code>&lt;iframe&gt;</code></pre>" in rendered


_OWN_TAGS = re.compile(r'</?(?:p|ul|li|pre|code|strong|em)>|<ol(?: start="[0-9]+")?>|</ol>')


@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'`*_-+1.)\n ")), max_size=80))
def test_nothing_but_the_renderers_own_tags_reaches_the_page(text: str) -> None:
    for rendered in (render(text), render_inline(text)):
        assert "<" not in _OWN_TAGS.sub("", rendered) and ">" not in _OWN_TAGS.sub("", rendered)
