"""What every gateway rate limiter (the in-process one and the shared one) must do, checked the same
way against each."""

from __future__ import annotations

from typing import Protocol


class Limiter(Protocol):
    def check(self, ip: str, user: str | None) -> int: ...


def check_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users(limiter: Limiter) -> None:
    """`limiter` allows 5 calls a minute per IP and 2 per user."""
    assert limiter.check("10.0.0.1", "ava") == 0
    assert limiter.check("10.0.0.2", "ava") == 0
    assert limiter.check("10.0.0.3", "ava") == 30  # ava's bucket is empty wherever she calls from
    # A different (possibly forged) subject gets its own bucket but still spends the IP's tokens.
    for sub in ("bob", "carl", "dana", "erin"):
        assert limiter.check("10.0.0.1", sub) == 0
    assert limiter.check("10.0.0.1", "fay") == 12  # 10.0.0.1 spent its 5 (60 s / 5 = 12 s per token)
