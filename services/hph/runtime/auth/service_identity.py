"""The platform's own identity for service-to-service calls (e.g. orders reserving stock).

Internal RPCs (ReserveStock, RecordOrderPayment...) require the staff role, so a service calling them
presents its own bearer token rather than forwarding the shopper's. On embedded defaults the token is
minted by the data dir's dev issuer; in production it comes from the workload identity (Entra), and
Istio mTLS authenticates the peer underneath.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hph.runtime.auth.dev_issuer import DevIssuer

Metadata = tuple[tuple[str, str], ...]

SERVICE_SUBJECT = "service:holiday-peak-hub"
TOKEN_TTL_SECONDS = 3600


class ServiceCredentials:
    """Caches one service token and renews it at half its lifetime."""

    def __init__(self, issuer: DevIssuer | None, *, clock: Callable[[], float] = time.time) -> None:
        self._issuer = issuer
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: Metadata = ()
        self._renew_at = 0.0

    def metadata(self) -> Metadata:
        """Metadata to attach to internal calls; empty when no issuer is configured."""
        if self._issuer is None:
            return ()
        now = self._clock()
        with self._lock:
            if now >= self._renew_at:
                token = self._issuer.issue(SERVICE_SUBJECT, "staff", name="platform", ttl_seconds=TOKEN_TTL_SECONDS)
                self._metadata = (("authorization", f"Bearer {token}"),)
                self._renew_at = now + TOKEN_TTL_SECONDS / 2
            return self._metadata
