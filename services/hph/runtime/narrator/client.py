"""`Narrator`: asks an OpenAI-compatible chat-completions endpoint for a short prose summary of an
agent's structured answer, and keeps the prose only when it is safe to show.

The answer never waits on it beyond the deadline and never depends on it: `narrate` returns a
`Narration` whose `prose` is None whenever anything goes wrong (off, deadline, connection error,
non-200, a body that is not the chat-completions shape, empty or too long prose, a number the
answer does not hold; see `numbers`), logging one structured line with the outcome. It raises
nothing but the caller's own cancellation.

Endpoint forms (`api_style`):
- "openai": POST {url}/chat/completions, body {"model", "messages"}, `Authorization: Bearer <key>`;
- "azure": POST {url}/openai/deployments/{model}/chat/completions?api-version={api_version}, body
  {"messages"}, `api-key: <key>` or, with Entra ID, `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import orjson
from google.protobuf import json_format
from google.protobuf.message import Message

from hph.runtime.narrator.credentials import EntraTokens

if TYPE_CHECKING:
    import httpx
from hph.runtime.narrator.numbers import answer_numbers, unsupported

log = logging.getLogger("hph.narrator")

ApiStyle = Literal["openai", "azure"]
# An answer larger than this is not sent (a summary of it would not be short, and it costs tokens).
MAX_ANSWER_CHARS = 32_000

Outcome = Literal[
    "kept",
    "off",
    "deadline",
    "unavailable",
    "http_status",
    "bad_response",
    "empty",
    "too_long",
    "unsupported_number",
    "answer_too_large",
    "bad_answer",
    "credential",
    "error",
]

SYSTEM_PROMPT = (
    "You summarise a retail platform's structured answer for a person in one or two plain sentences "
    "of at most {max_chars} characters. Use only facts in the JSON. Cite numbers exactly as they appear "
    "there (you may round them); never compute, estimate or invent a number. No lists, no markup."
)


@dataclass(frozen=True)
class NarratorConfig:
    url: str
    model: str
    api_style: ApiStyle = "openai"
    api_version: str = "2024-10-21"
    api_key: str = ""
    deadline_seconds: float = 1.5
    max_chars: int = 600

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"narrator URL {self.url!r} must be http(s)")
        if not self.model:
            raise ValueError("the narrator needs a model (the deployment name for Azure OpenAI)")
        if self.api_style not in ("openai", "azure"):
            raise ValueError(f"narrator API style {self.api_style!r}: choose openai or azure")
        if self.deadline_seconds <= 0 or self.max_chars <= 0:
            raise ValueError("the narrator's deadline and max_chars must be positive")

    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        if self.api_style == "azure":
            return f"{base}/openai/deployments/{self.model}/chat/completions?api-version={self.api_version}"
        return f"{base}/chat/completions"


@dataclass(frozen=True)
class Narration:
    """The prose to show (None: show the answer alone), and why."""

    prose: str | None
    outcome: Outcome
    detail: str = ""
    elapsed_ms: float = 0.0


class _Dropped(Exception):
    def __init__(self, outcome: Outcome, detail: str = "") -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail


class Narrator:
    """One per process (it keeps an HTTP connection pool); `Narrator.off()` when not configured."""

    def __init__(
        self,
        config: NarratorConfig | None,
        *,
        tokens: EntraTokens | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._tokens = tokens
        self._client: httpx.AsyncClient | None = None
        if config is not None:
            # Imported only when a narrator is configured (off by default): httpx costs every
            # process ~0.1 s of start-up, the `hph` CLI included.
            import httpx

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(config.deadline_seconds), transport=transport, follow_redirects=False
            )

    @classmethod
    def off(cls) -> Narrator:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self._config is not None

    async def narrate(self, answer: Message | Mapping[str, Any] | str, *, subject: str = "") -> Narration:
        """A short summary of `answer` (a proto message, its proto3 JSON as text, or a dict), with
        `subject` (what was asked) as context; never raises, never takes longer than the deadline."""
        config, client = self._config, self._client
        if config is None or client is None:
            return Narration(None, "off")
        import httpx  # loaded by __init__ already (a configured narrator has a client)

        started = time.perf_counter()
        try:
            async with asyncio.timeout(config.deadline_seconds):
                prose = await self._ask(config, client, answer, subject)
            narration = Narration(prose, "kept", elapsed_ms=_since(started))
        except _Dropped as dropped:
            narration = Narration(None, dropped.outcome, dropped.detail, _since(started))
        except TimeoutError:
            detail = f"no prose within {config.deadline_seconds * 1000:.0f} ms"
            narration = Narration(None, "deadline", detail, _since(started))
        except httpx.HTTPError as exc:
            narration = Narration(None, "unavailable", f"{type(exc).__name__}: {exc}", _since(started))
        except Exception as exc:  # the answer goes out whatever the model or its client library did
            log.exception("narration failed unexpectedly")
            narration = Narration(None, "error", f"{type(exc).__name__}: {exc}", _since(started))
        _log(narration, subject)
        return narration

    async def _ask(
        self, config: NarratorConfig, client: httpx.AsyncClient, answer: Message | Mapping[str, Any] | str, subject: str
    ) -> str:
        document = _as_json(answer)
        text = orjson.dumps(document).decode()
        if len(text) > MAX_ANSWER_CHARS:
            raise _Dropped("answer_too_large", f"{len(text)} characters")
        headers = await self._headers(config)
        body: dict[str, Any] = {
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT.format(max_chars=config.max_chars)},
                {"role": "user", "content": (f"Question: {subject}\n" if subject else "") + f"Answer JSON: {text}"},
            ]
        }
        if config.api_style == "openai":
            body["model"] = config.model
        response = await client.post(config.endpoint(), json=body, headers=headers)
        if response.status_code != 200:
            raise _Dropped("http_status", f"HTTP {response.status_code}")
        prose = _content(response).strip()
        if not prose:
            raise _Dropped("empty")
        if len(prose) > config.max_chars:
            raise _Dropped("too_long", f"{len(prose)} > {config.max_chars} characters")
        invented = unsupported(prose, answer_numbers(document))
        if invented:
            raise _Dropped("unsupported_number", ", ".join(invented))
        return prose

    async def _headers(self, config: NarratorConfig) -> dict[str, str]:
        if self._tokens is not None:
            try:
                token = await self._tokens.bearer()
            except Exception as exc:  # azure-identity raises its own errors (ClientAuthenticationError ...)
                raise _Dropped("credential", f"{type(exc).__name__}: {exc}") from exc
            return {"Authorization": f"Bearer {token}"}
        if not config.api_key:
            return {}
        if config.api_style == "azure":
            return {"api-key": config.api_key}
        return {"Authorization": f"Bearer {config.api_key}"}

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        if self._tokens is not None:
            await self._tokens.close()


def _as_json(answer: Message | Mapping[str, Any] | str) -> Any:
    if isinstance(answer, Message):
        # Fields at their default (0, "", false) are printed: prose may cite a zero the answer holds.
        return json_format.MessageToDict(answer, always_print_fields_with_no_presence=True)
    if isinstance(answer, str):
        try:
            return orjson.loads(answer)
        except orjson.JSONDecodeError as exc:
            raise _Dropped("bad_answer", "the answer given is not JSON") from exc
    return dict(answer)


def _content(response: httpx.Response) -> str:
    """choices[0].message.content of a chat-completions body; _Dropped otherwise."""
    try:
        body = orjson.loads(response.content)
        content = body["choices"][0]["message"]["content"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
        raise _Dropped("bad_response", f"not a chat completion: {type(exc).__name__}") from exc
    if not isinstance(content, str):
        raise _Dropped("bad_response", "message content is not text")
    return content


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _log(narration: Narration, subject: str) -> None:
    fields = {
        "outcome": narration.outcome,
        "detail": narration.detail,
        "elapsed_ms": narration.elapsed_ms,
        "subject": subject[:120],
    }
    if narration.outcome == "off":
        return
    if narration.outcome == "kept":
        log.info("narration kept", extra=fields)
    else:
        log.warning("narration dropped", extra=fields)
