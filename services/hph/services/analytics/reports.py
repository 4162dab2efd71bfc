"""Reading the projection back for a window: one tally per UTC day the window touches.

Whole days come from their rollups (one cross-partition query for the window's days); a day the
window only partly covers (a window given as timestamps) is summed from that day's facts whose
moment falls inside the window, with the same arithmetic the rollup used.
"""

from __future__ import annotations

from hph.runtime.clock import to_iso
from hph.runtime.storage import And, Container, Eq, Ge, In, Le, Lt, Query
from hph.services.analytics import rules
from hph.services.analytics.projection import REFUND, ROLLUP, SALE, tally_fact

PAGE = 200


class SalesReader:
    def __init__(self, sales: Container) -> None:
        self._sales = sales

    async def daily(self, window: rules.Window, currency: str) -> list[tuple[rules.Segment, rules.Tally]]:
        """(segment, tally) for every segment of the window that has sales or refunds, oldest first."""
        pieces = list(rules.segments(window))
        whole = [piece for piece in pieces if piece.whole_day]
        rollups = await self._rollups(whole[0].day, whole[-1].day, currency) if whole else {}
        result: list[tuple[rules.Segment, rules.Tally]] = []
        for piece in pieces:
            tally = rollups.get(piece.day) if piece.whole_day else await self._partial(piece, currency)
            if tally is not None and (tally.orders or tally.refund_count):
                result.append((piece, tally))
        return result

    async def _rollups(self, first_day: str, last_day: str, currency: str) -> dict[str, rules.Tally]:
        query = Query(
            And(Eq("kind", ROLLUP), Eq("currency", currency), Ge("day", first_day), Le("day", last_day)),
        )
        found: dict[str, rules.Tally] = {}
        continuation: str | None = None
        while True:
            page = await self._sales.query(query, max_items=PAGE, continuation=continuation)
            for doc in page.items:
                found[doc["day"]] = rules.Tally.from_doc(doc)
            continuation = page.continuation
            if not continuation:
                return found

    async def _partial(self, piece: rules.Segment, currency: str) -> rules.Tally:
        query = Query(
            And(
                In("kind", [SALE, REFUND]),
                Eq("currency", currency),
                Ge("at", to_iso(piece.start)),
                Lt("at", to_iso(piece.end)),
            )
        )
        tally = rules.Tally()
        continuation: str | None = None
        while True:
            page = await self._sales.query(query, partition_key=piece.day, max_items=PAGE, continuation=continuation)
            for doc in page.items:
                tally_fact(tally, doc)
            continuation = page.continuation
            if not continuation:
                return tally
