"""The Markdown of API descriptions (proto comments and the document's own prose) as escaped HTML.

Proto comments are Markdown by convention (googleapis, buf) but authored by anyone, so the output is
made of HTML-escaped text only: raw HTML in a comment is shown, never passed through, and links stay
text. Rendered: paragraphs (separated by blank lines); bullet (`-`, `*`, `+`) and numbered (`1.`,
`1)`) lists, nested by indentation, an item's text continued on lines indented under it; fenced
and indented code blocks; `code` spans; **strong** and *emphasis* (with `*` or `_`, never inside
a word, so snake_case names stay as they are).

One departure from CommonMark: an unindented line after a list item ends the list. Proto comments
indent an item's continuation lines and often go on with plain text on the very next line, which
CommonMark would fold into the last item ("lazy continuation").
"""

from __future__ import annotations

import html
import re

# A list item: indentation, marker, then spaces (or the end of the line, for an empty item).
_ITEM = re.compile(r"( *)([-*+]|[0-9]{1,9}[.)])( +|$)")
_FENCE = re.compile(r" *(```+|~~~+)")
# Backtick runs open and close a code span only with the same length.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# Emphasis needs a non-blank character inside each delimiter and no word character outside it.
_STRONG = re.compile(
    r"(?<![\w*])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![\w*])|(?<!\w)__(?=[^\s_])(.+?)(?<=[^\s_])__(?!\w)", re.DOTALL
)
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])|(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)", re.DOTALL
)
_CODE_INDENT = 4


def render(text: str) -> str:
    """HTML of Markdown `text`: block elements (`<p>`, `<ul>`, `<ol>`, `<pre>`), every text escaped."""
    return "".join(_blocks(text.expandtabs(_CODE_INDENT).splitlines()))


def render_inline(text: str) -> str:
    """HTML of one line of Markdown (code spans and emphasis), escaped; for headings and summaries."""
    out: list[str] = []
    done = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_emphasis(html.escape(text[done : span.start()])))
        code = span.group(2)
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            code = code[1:-1]  # `` `x` `` shows `x`: one space each side is padding, as in CommonMark
        out.append(f"<code>{html.escape(code)}</code>")
        done = span.end()
    out.append(_emphasis(html.escape(text[done:])))
    return "".join(out)


def _emphasis(escaped: str) -> str:
    escaped = _STRONG.sub(lambda match: f"<strong>{match.group(1) or match.group(2)}</strong>", escaped)
    return _EMPHASIS.sub(lambda match: f"<em>{match.group(1) or match.group(2)}</em>", escaped)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    return not line.strip()


def _blocks(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _blank(line):
            index += 1
        elif _FENCE.match(line):
            index = _fenced_code(lines, index, out)
        elif _indent(line) >= _CODE_INDENT:
            index = _indented_code(lines, index, out)
        elif _ITEM.match(line):
            index = _list(lines, index, out)
        else:
            index = _paragraph(lines, index, out)
    return out


def _paragraph(lines: list[str], index: int, out: list[str]) -> int:
    """Lines up to a blank line, a fence or a list that may interrupt a paragraph."""
    text = [lines[index].strip()]
    index += 1
    while index < len(lines):
        line = lines[index]
        item = _ITEM.match(line)
        # As in CommonMark, a numbered line interrupts a paragraph only as "1."; "2024. was..." does not.
        starts_list = item is not None and (not item.group(2)[0].isdigit() or int(item.group(2)[:-1]) == 1)
        if _blank(line) or _FENCE.match(line) or starts_list:
            break
        text.append(line.strip())
        index += 1
    out.append(f"<p>{render_inline(' '.join(text))}</p>")
    return index


def _fenced_code(lines: list[str], index: int, out: list[str]) -> int:
    opening = _FENCE.match(lines[index])
    assert opening is not None
    fence, indent = opening.group(1), _indent(lines[index])
    body: list[str] = []
    index += 1
    while index < len(lines) and not lines[index].strip().startswith(fence):
        line = lines[index]
        body.append(line[min(indent, _indent(line)) :])
        index += 1
    code = html.escape("\n".join(body))
    out.append(f"<pre><code>{code}</code></pre>")
    return index + 1  # past the closing fence (or the end: an unclosed fence runs to the end)


def _indented_code(lines: list[str], index: int, out: list[str]) -> int:
    body: list[str] = []
    while index < len(lines) and (_blank(lines[index]) or _indent(lines[index]) >= _CODE_INDENT):
        body.append(lines[index][_CODE_INDENT:])
        index += 1
    while body and _blank(body[-1]):
        body.pop()
    code = html.escape("\n".join(body))
    out.append(f"<pre><code>{code}</code></pre>")
    return index


def _next_text(lines: list[str], index: int) -> int:
    while index < len(lines) and _blank(lines[index]):
        index += 1
    return index


def _list(lines: list[str], index: int, out: list[str]) -> int:
    """Items with the first one's indentation and kind (bullet or numbered); an item owns every
    following line indented deeper than its marker, blank lines between them included."""
    first = _ITEM.match(lines[index])
    assert first is not None
    indent, numbered = len(first.group(1)), first.group(2)[0].isdigit()
    items: list[str] = []
    while index < len(lines):
        if _blank(lines[index]):
            following = _next_text(lines, index)
            sibling = following < len(lines) and _ITEM.match(lines[following])
            if not sibling or _indent(lines[following]) != indent:
                break
            index = following
        item = _ITEM.match(lines[index])
        if item is None or len(item.group(1)) != indent or item.group(2)[0].isdigit() != numbered:
            break
        content = len(item.group(0))
        body = [lines[index][content:]]
        index += 1
        while index < len(lines):
            line = lines[index]
            if _blank(line):
                following = _next_text(lines, index)
                if following < len(lines) and _indent(lines[following]) > indent:
                    body.append("")
                    index += 1
                    continue
                break
            if _indent(line) <= indent:
                break
            body.append(line[min(content, _indent(line)) :])
            index += 1
        items.append(_item_html(body))
    tag = "ol" if numbered else "ul"
    start = int(first.group(2)[:-1]) if numbered else 1
    opening = f'<ol start="{start}">' if start != 1 else f"<{tag}>"
    out.append(opening + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>")
    return index


def _item_html(body: list[str]) -> str:
    blocks = _blocks(body)
    if len(blocks) >= 1 and blocks[0].startswith("<p>") and not any(b.startswith("<p>") for b in blocks[1:]):
        # A one-paragraph item (with, perhaps, a nested list) reads better without the <p> margin.
        blocks[0] = blocks[0][len("<p>") : -len("</p>")]
    return "".join(blocks)
