"""How a commerce service calls an agent: a generated stub, a deadline, a circuit breaker per agent and
a fallback the caller supplies. An agent being down, slow, not hosted or shed never fails or delays
the shopper's request beyond the deadline.

    validation = AgentClient(deps, "inventory-reservation-validation", ValidationServiceStub,
                             deadline_seconds=0.2)
    result = await validation.call("ValidateReservation", request,
                                   response=ValidateReservationResponse, fallback=lambda: None)
    if result.skipped:            # the fallback's value is in result.value; say so in the answer
        ...                       # result.note() == "inventory-reservation-validation skipped: ..."

What each outcome means (`Skip`; None when the agent answered):

| the agent ...                                    | Skip              | breaker     | logged  |
|--------------------------------------------------|-------------------|-------------|---------|
| answered                                         | None              | success     | -       |
| is down or unreachable (UNAVAILABLE)             | UNAVAILABLE       | failure     | warning |
| did not answer within the deadline               | DEADLINE_EXCEEDED | failure     | warning |
| is not hosted / not built (UNIMPLEMENTED)        | UNIMPLEMENTED     | failure     | warning |
| failed itself (INTERNAL, UNKNOWN, overloaded...) | FAILED            | failure     | warning |
| was not called: its breaker is open              | BREAKER_OPEN      | -           | debug   |
| refused our request (INVALID_ARGUMENT, NOT_FOUND,| REJECTED          | success: it | error   |
| PERMISSION_DENIED, FAILED_PRECONDITION ...)      |                   | is up       |         |

A refusal is our bug or our configuration, never the shopper's problem and never the agent's health,
so it does not count against the breaker; it still falls back (the agent is advice) and is logged as
an error with the status. The caller may look at `result.code` and surface it if it must. Every
outcome is counted per client (`counts`, keyed by "answered" or the Skip value).

Breakers are per agent and per process (`deps.breakers`, shared by every service in the process), with
the thresholds of `HPH_AGENT_BREAKER_*`; the deadline is the caller's (`deadline_seconds`) or
`HPH_AGENT_CALL_DEADLINE_SECONDS`. Agents are addressed by name like services
(`HPH_SERVICE_ADDRESSES=inventory-reservation-validation=host:port`), in-process when co-hosted.
Calls carry the platform's own token (staff role) by default, or the caller's, or none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

import grpc
from google.protobuf.message import Message

from hph.runtime.breaker import BreakerPolicy, CircuitBreaker
from hph.runtime.deps import Dependencies
from hph.runtime.rpc.call_context import forwarded_metadata
from hph.runtime.rpc.downstream import Metadata, request_id_metadata
from hph.runtime.settings import Settings

log = logging.getLogger("hph.commerce.agent_calls")

Stub = TypeVar("Stub")
R = TypeVar("R", bound=Message)
F = TypeVar("F")
T = TypeVar("T")
Credentials = Literal["platform", "caller", "none"]

# Grace beyond the deadline before our own timer gives up on a call gRPC should already have ended.
BACKSTOP_GRACE_SECONDS = 0.1


class Skip(StrEnum):
    """Why the fallback answered instead of the agent."""

    UNAVAILABLE = "unavailable"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    UNIMPLEMENTED = "unimplemented"
    FAILED = "failed"
    BREAKER_OPEN = "breaker_open"
    REJECTED = "rejected"


ANSWERED = "answered"
# Statuses meaning the agent could not answer: they count against its breaker.
_UNHEALTHY: dict[grpc.StatusCode, Skip] = {
    grpc.StatusCode.UNAVAILABLE: Skip.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: Skip.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNIMPLEMENTED: Skip.UNIMPLEMENTED,
    grpc.StatusCode.INTERNAL: Skip.FAILED,
    grpc.StatusCode.UNKNOWN: Skip.FAILED,
    grpc.StatusCode.RESOURCE_EXHAUSTED: Skip.FAILED,
    grpc.StatusCode.DATA_LOSS: Skip.FAILED,
    grpc.StatusCode.CANCELLED: Skip.FAILED,
}


@dataclass(frozen=True)
class AgentResult(Generic[T]):
    """What a call came to: the agent's answer, or the fallback's value and why."""

    agent: str
    rpc: str
    # The agent's answer, or what the fallback returned when `skipped` is set.
    value: T
    # Why the fallback answered; None when the agent did.
    skipped: Skip | None = None
    # The status the agent failed or refused with (None when it answered, was shed, or our timer ran out).
    code: grpc.StatusCode | None = None
    # One line on what happened (e.g. "DEADLINE_EXCEEDED after 201 ms"); empty when it answered.
    detail: str = ""
    elapsed_seconds: float = 0.0

    @property
    def answered(self) -> bool:
        return self.skipped is None

    def note(self) -> str:
        """One line for a response flag or a log: "<agent> skipped: <why> (<detail>)"; empty if answered."""
        if self.skipped is None:
            return ""
        return f"{self.agent} skipped: {self.skipped.value}" + (f" ({self.detail})" if self.detail else "")


def breaker_policy(settings: Settings) -> BreakerPolicy:
    """The agent breakers' thresholds from HPH_AGENT_BREAKER_*."""
    return BreakerPolicy(
        failure_threshold=settings.agent_breaker_failures,
        window_calls=settings.agent_breaker_window_calls,
        open_seconds=settings.agent_breaker_open_seconds,
    )


class AgentClient(Generic[Stub]):
    """One agent as one commerce service calls it (build it once, in the service's factory)."""

    def __init__(
        self,
        deps: Dependencies,
        agent: str,
        stub_class: Callable[[Any], Stub],
        *,
        deadline_seconds: float | None = None,
        credentials: Credentials = "platform",
    ) -> None:
        deadline = deps.settings.agent_call_deadline_seconds if deadline_seconds is None else deadline_seconds
        if deadline <= 0:
            raise ValueError(f"the deadline of calls to {agent} must be > 0 seconds, not {deadline}")
        self.agent = agent
        self.deadline_seconds = deadline
        self._deps = deps
        self._stub_class = stub_class
        self._credentials = credentials
        self.breaker: CircuitBreaker = deps.breakers.get(agent, breaker_policy(deps.settings))
        # Outcomes of this client's calls: "answered" or a Skip value -> count.
        self.counts: Counter[str] = Counter()

    async def call(
        self,
        rpc: str,
        request: Message,
        *,
        response: type[R],
        fallback: Callable[[], F],
        deadline_seconds: float | None = None,
    ) -> AgentResult[R | F]:
        """Calls `rpc` of the agent with `request` and returns its `response`, or `fallback()` with the
        reason when it cannot answer (see the module docstring); raises nothing for the agent's sake.
        Cancellation of the caller itself still propagates."""
        started = time.perf_counter()
        permit = self.breaker.acquire()
        if permit is None:
            retry = self.breaker.retry_after()
            detail = f"breaker open, next try in {retry:.1f} s" if retry else "breaker half open, probe in flight"
            return self._skipped(rpc, Skip.BREAKER_OPEN, fallback, detail=detail, started=started)
        deadline = self.deadline_seconds if deadline_seconds is None else deadline_seconds
        try:
            method = getattr(self._deps.channels.stub(self.agent, self._stub_class), rpc)
            async with asyncio.timeout(deadline + BACKSTOP_GRACE_SECONDS):
                answer = await method(request, timeout=deadline, metadata=self._metadata())
        except asyncio.CancelledError:
            permit.abandoned()
            raise
        except grpc.aio.AioRpcError as exc:
            code = exc.code()
            skip = _UNHEALTHY.get(code)
            if skip is None:
                permit.succeeded()  # it answered: up, just not with what we wanted
                detail = exc.details() or ""
                return self._skipped(rpc, Skip.REJECTED, fallback, code=code, detail=detail, started=started)
            permit.failed()
            return self._skipped(rpc, skip, fallback, code=code, detail=_elapsed(code.name, started), started=started)
        except TimeoutError:
            permit.failed()
            detail = _elapsed("no answer", started)
            return self._skipped(rpc, Skip.DEADLINE_EXCEEDED, fallback, detail=detail, started=started)
        except Exception as exc:  # a broken channel or stub must not fail the shopper's request either
            permit.failed()
            log.exception("calling %s.%s failed", self.agent, rpc, extra={"agent": self.agent, "rpc": rpc})
            return self._skipped(rpc, Skip.FAILED, fallback, detail=type(exc).__name__, started=started, logged=True)
        permit.succeeded()
        if not isinstance(answer, response):
            raise TypeError(f"{self.agent}.{rpc} answered a {type(answer).__name__}, not a {response.__name__}")
        self.counts[ANSWERED] += 1
        return AgentResult(self.agent, rpc, answer, elapsed_seconds=time.perf_counter() - started)

    def _metadata(self) -> Metadata:
        if self._credentials == "platform":
            return self._deps.service_credentials.metadata() + request_id_metadata()
        if self._credentials == "caller":
            return forwarded_metadata()
        return request_id_metadata()

    def _skipped(
        self,
        rpc: str,
        skip: Skip,
        fallback: Callable[[], F],
        *,
        started: float,
        code: grpc.StatusCode | None = None,
        detail: str = "",
        logged: bool = False,
    ) -> AgentResult[F]:
        self.counts[skip.value] += 1
        result = AgentResult(
            self.agent, rpc, fallback(), skip, code, detail, elapsed_seconds=time.perf_counter() - started
        )
        if not logged:
            level = {Skip.BREAKER_OPEN: logging.DEBUG, Skip.REJECTED: logging.ERROR}.get(skip, logging.WARNING)
            log.log(
                level,
                "%s.%s: fallback used (%s)",
                self.agent,
                rpc,
                result.note(),
                extra={"agent": self.agent, "rpc": rpc, "skipped": skip.value, "status": code.name if code else ""},
            )
        return result


def _elapsed(what: str, started: float) -> str:
    return f"{what} after {(time.perf_counter() - started) * 1000:.0f} ms"
