"""The /docs page: the OpenAPI document as one self-contained HTML page, readable offline.

Operations grouped by tag with their parameters, bodies and responses, then every schema. The
styles are `docs_page.css`, shipped beside this module; the page loads no script or external
resource. Descriptions are Markdown (proto comments, the document's own prose) rendered by
`markdown`; every text taken from the document is HTML-escaped (proto comments are authored by
anyone) before any markup is added.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources

from hph.gateway import markdown
from hph.gateway.openapi import first_sentence, operations
from hph.gateway.schemas import JsonObject

_METHOD_CLASSES = {"get", "post", "put", "patch", "delete"}
_OK = str(HTTPStatus.OK.value)  # as OpenAPI names the response
_SCHEMA_REF = "#/components/schemas/"


def render_docs_html(spec: JsonObject) -> str:
    """A self-contained HTML page documenting the spec: operations grouped by tag, schemas at the end.

    Every text taken from the spec is HTML-escaped (proto comments are authored by anyone), and the
    page uses no script or external resource, so it reads the same offline.
    """
    info = spec.get("info", {})
    title = str(info.get("title", "API"))
    components = spec.get("components", {})
    page = _Page(components.get("schemas", {}), components.get("responses", {}))
    groups = _operations_by_tag(spec)
    tag_texts = {str(tag.get("name")): str(tag.get("description", "")) for tag in spec.get("tags", [])}
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} API</title><style>\n{_css()}</style></head><body>",
        f"<header><h1>{_e(title)} API</h1>",
        f"<div>Version {_e(info.get('version', ''))} · OpenAPI {_e(spec.get('openapi', ''))} · "
        '<a href="/openapi.json">openapi.json</a></div></header><main>',
    ]
    if info.get("description"):
        out.append(f'<div class="intro desc">{_markdown(info["description"])}</div>')
    servers = [str(server.get("url", "")) for server in spec.get("servers", [])]
    if servers:
        out.append(f"<p>Servers: {', '.join(f'<code>{_e(url)}</code>' for url in servers)}</p>")
    out.append("<nav><h3>Services</h3><ul>")
    for tag, members in groups.items():
        out.append(f'<li><a href="#tag-{_anchor(tag)}">{_e(tag)}</a> ({len(members)})</li>')
    out.append('<li><a href="#schemas">Schemas</a></li></ul></nav>')
    for tag, members in groups.items():
        out.append(f'<section><h2 id="tag-{_anchor(tag)}">{_e(tag)}</h2>')
        if tag_texts.get(tag):
            out.append(_markdown(tag_texts[tag]))
        out.extend(page.operation(method, path, operation) for method, path, operation in members)
        out.append("</section>")
    out.append('<section><h2 id="schemas">Schemas</h2>')
    out.extend(page.schema_component(name, schema) for name, schema in page.schemas.items())
    out.append("</section></main></body></html>")
    return "\n".join(out)


def _operations_by_tag(spec: JsonObject) -> dict[str, list[tuple[str, str, JsonObject]]]:
    groups: dict[str, list[tuple[str, str, JsonObject]]] = {}
    for method, path, operation in operations(spec):
        tags = operation.get("tags") or ["default"]
        groups.setdefault(str(tags[0]), []).append((method, path, operation))
    return {tag: groups[tag] for tag in sorted(groups)}


@dataclass(frozen=True)
class _Page:
    """Renders the parts of the page; knows the components so references can be shown inline."""

    schemas: JsonObject
    responses: JsonObject

    def operation(self, method: str, path: str, operation: JsonObject) -> str:
        access = operation.get("x-hph-access", {})
        role = str(access.get("min_role", "authenticated" if operation.get("security", [{}]) else "anonymous"))
        role_label = role + (" · owner only" if access.get("owner_only") else "")
        css = method.lower() if method.lower() in _METHOD_CLASSES else "other"
        out = [
            f'<details id="op-{_anchor(str(operation.get("operationId", path)))}"><summary>',
            f'<span class="method {css}">{_e(method)}</span><span class="path">{_e(path)}</span>',
            f'<span class="summary">{markdown.render_inline(str(operation.get("summary", "")))}</span>',
            f'<span class="role {_anchor(role)}" title="minimum role">{_e(role_label)}</span>',
            '</summary><div class="body">',
        ]
        if operation.get("description"):
            out.append(f'<div class="desc">{_markdown(operation["description"])}</div>')
        out.append(f"<p>Operation id: <code>{_e(operation.get('operationId', ''))}</code></p>")
        parameters = operation.get("parameters", [])
        if parameters:
            out.append("<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>")
            for parameter in parameters:
                flag = ' <span class="flag">required</span>' if parameter.get("required") else ""
                out.append(
                    f"<tr><td><code>{_e(parameter.get('name', ''))}</code>{flag}</td>"
                    f"<td>{_e(parameter.get('in', ''))}</td>"
                    f'<td class="type">{_type_label(parameter.get("schema", {}))}</td>'
                    f'<td class="desc">{_markdown(parameter.get("description", ""))}</td></tr>'
                )
            out.append("</table>")
        body = operation.get("requestBody")
        if body:
            out.append(f"<h4>Request body{' (required)' if body.get('required') else ''}</h4>")
            if body.get("description"):
                out.append(f'<div class="desc">{_markdown(body["description"])}</div>')
            out.extend(self._content(body.get("content", {})))
        out.append("<h4>Responses</h4><table><tr><th>Status</th><th>Description</th><th>Body</th></tr>")
        for status, response in operation.get("responses", {}).items():
            resolved = self._response(response)
            bodies = ", ".join(
                f"{_e(kind)}: {_type_label(entry.get('schema', {}))}"
                for kind, entry in resolved.get("content", {}).items()
            )
            out.append(
                f"<tr><td><code>{_e(status)}</code></td>"
                f'<td class="desc">{_markdown(resolved.get("description", ""))}</td><td class="type">{bodies}</td></tr>'
            )
        out.append("</table>")
        ok = self._response(operation.get("responses", {}).get(_OK, {}))
        if ok.get("content"):
            out.append("<h4>Response body (200)</h4>")
            out.extend(self._content(ok["content"]))
        out.append("</div></details>")
        return "\n".join(out)

    def schema_component(self, name: str, schema: JsonObject) -> str:
        out = [
            f'<details id="schema-{_anchor(name)}"><summary><span class="path">{_e(name)}</span>',
            f'<span class="summary">{markdown.render_inline(first_sentence(str(schema.get("description", ""))))}'
            "</span></summary>",
            '<div class="body">',
        ]
        if schema.get("description"):
            out.append(f'<div class="desc">{_markdown(schema["description"])}</div>')
        if isinstance(schema.get("properties"), dict):
            out.append(_properties_table(schema))
        else:
            out.append(f'<p class="type">{_type_label(schema)}</p>')
        out.append("</div></details>")
        return "\n".join(out)

    def _response(self, response: JsonObject) -> JsonObject:
        ref = str(response.get("$ref", ""))
        if ref.startswith("#/components/responses/"):
            resolved = self.responses.get(ref.rsplit("/", 1)[-1], {})
            return resolved if isinstance(resolved, dict) else {}
        return response

    def _content(self, content: JsonObject) -> list[str]:
        """Each media type with its schema; a referenced message (or array of one) shows its fields."""
        out = []
        for kind, entry in content.items():
            schema = entry.get("schema", {})
            out.append(f"<p><code>{_e(kind)}</code> {_type_label(schema)}</p>")
            shown = schema.get("items", {}) if schema.get("type") == "array" else schema
            ref = str(shown.get("$ref", ""))
            if ref.startswith(_SCHEMA_REF):
                shown = self.schemas.get(ref[len(_SCHEMA_REF) :], {})
            if isinstance(shown, dict) and isinstance(shown.get("properties"), dict):
                out.append(_properties_table(shown))
        return out


def _properties_table(schema: JsonObject) -> str:
    required = set(schema.get("required", []))
    rows = ["<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>"]
    for name, prop in schema.get("properties", {}).items():
        flags = "".join(
            f' <span class="flag">{label}</span>'
            for label, present in (
                ("required", name in required),
                ("read-only", prop.get("readOnly")),
                ("write-only", prop.get("writeOnly")),
            )
            if present
        )
        rows.append(
            f'<tr><td><code>{_e(name)}</code>{flags}</td><td class="type">{_type_label(prop)}</td>'
            f'<td class="desc">{_markdown(prop.get("description", ""))}</td></tr>'
        )
    rows.append("</table>")
    return "\n".join(rows)


def _type_label(schema: JsonObject) -> str:
    """Escaped HTML naming a schema's type; references link to the schema section."""
    if not isinstance(schema, dict) or not any(key in schema for key in ("$ref", "type", "enum")):
        return "any JSON value"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return f'<a href="#schema-{_anchor(name)}">{_e(name)}</a>'
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if "array" in kinds:
        return f"array of {_type_label(schema.get('items', {}))}"
    if "object" in kinds and isinstance(schema.get("additionalProperties"), dict):
        return f"map of string to {_type_label(schema['additionalProperties'])}"
    label = " | ".join(_e(k) for k in kinds) or "any"
    extras = [_e(schema[key]) for key in ("format", "contentEncoding") if schema.get(key)]
    if schema.get("enum"):
        extras.append("one of " + ", ".join(_e(value) for value in schema["enum"]))
    if schema.get("pattern"):
        extras.append("pattern " + _e(schema["pattern"]))
    return label + (f" ({'; '.join(extras)})" if extras else "")


def _markdown(value: object) -> str:
    """A description (Markdown from proto comments or the document) as escaped HTML blocks."""
    return markdown.render(str(value))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _anchor(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def _css() -> str:
    return resources.files("hph.gateway").joinpath("docs_page.css").read_text(encoding="utf-8")
