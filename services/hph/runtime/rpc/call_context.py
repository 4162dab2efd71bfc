"""Who is calling, under which policy: set by the auth interceptor, read by handlers.

Ownership is enforced here, once, from the contract's `owner_only`/`owner_override_role`, so no
handler re-implements "customers see their own, staff see all".
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.auth.principal import Principal
from hph.runtime.errors import FailedPrecondition, NotFound, PermissionDenied, Unauthenticated
from hph.runtime.rpc.policy import MethodPolicy
from hph.runtime.storage import is_valid_id


@dataclass(frozen=True)
class CallContext:
    """The authenticated caller of the current RPC and the RPC's declared policy."""

    principal: Principal
    policy: MethodPolicy
    request_id: str
    idempotency_key: str = ""
    # The caller's own `authorization` header, to forward on user-scoped calls to other services.
    authorization: str = field(default="", repr=False)


_current: ContextVar[CallContext] = ContextVar("hph_call_context")


def set_call(call: CallContext) -> object:
    """Installs the call context for the current task; returns the token for `reset_call`."""
    return _current.set(call)


def reset_call(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current_call() -> CallContext:
    try:
        return _current.get()
    except LookupError as exc:  # pragma: no cover - a wiring bug, not a client error
        raise RuntimeError("no call context: is the auth interceptor installed?") from exc


def current_request_id() -> str:
    """The request id of the RPC being served; "" outside one (background job, event handler)."""
    try:
        return _current.get().request_id
    except LookupError:
        return ""


def current_principal() -> Principal:
    return current_call().principal


def forwarded_metadata() -> tuple[tuple[str, str], ...]:
    """Metadata that calls another service as the caller (their token) within this request."""
    call = current_call()
    metadata = [("x-request-id", call.request_id)]
    if call.authorization:
        metadata.append(("authorization", call.authorization))
    return tuple(metadata)


def require_subject() -> str:
    """The signed-in caller's subject; UNAUTHENTICATED for anonymous callers."""
    principal = current_principal()
    if not principal.is_authenticated:
        raise Unauthenticated("sign in first: this operation needs a bearer token")
    return principal.subject


def require_user_id() -> str:
    """The signed-in caller's subject, which keys their documents; refused when the store could not
    hold it as a document id (token subjects are used as they are)."""
    subject = require_subject()
    if not is_valid_id(subject):
        raise FailedPrecondition(
            "this token's subject cannot be used as a user id (it contains / \\ ? or #)",
            reason=ErrorReason.ERROR_REASON_UNSUPPORTED_SUBJECT,
        )
    return subject


def idempotency_key(request_id: str) -> str:
    """The request's idempotency key: its `request_id` field, else the `idempotency-key` header."""
    return request_id or current_call().idempotency_key


def require_owner(owner_id: str, *, resource: str = "resource", hide_existence: bool = False) -> None:
    """Refuses the call unless the caller owns the resource or holds the policy's override role.

    With hide_existence the refusal is NOT_FOUND, so customers cannot probe other users' ids.
    """
    call = current_call()
    principal = call.principal
    if not call.policy.owner_only or principal.subject == owner_id:
        return
    override = call.policy.owner_override_role
    if override and principal.has_role(override):
        return
    if hide_existence:
        raise NotFound(f"{resource} not found")
    raise PermissionDenied(f"only the owner of this {resource} may do that", reason=ErrorReason.ERROR_REASON_NOT_OWNER)
