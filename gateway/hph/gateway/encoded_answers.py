"""A memo of transcoded answers: the proto3 JSON of answer bytes the gateway has encoded before.

Printing a message as JSON is most of a read's CPU time in the gateway (a page of 20 search hits
with their score drivers and the facets is about 20 KB of JSON: about 70% of the worker's time per
`GET /api/search` under load, measured with py-spy; see docs/benchmarks.md, "Search"). Hot reads
repeat at peak, and the services already answer them from their own caches, so the same answer
bytes reach the gateway again and again.

The memo is keyed by the route and the exact answer bytes, and the JSON is a pure function of those
(the route fixes the message type, `response_body` and the printing options), so an entry can never
be stale: a changed answer is other bytes, hence another key. No invalidation is needed, and no
answer is ever served to a caller that the upstream did not just give the very same bytes to.

Bounded by bytes (key and JSON both count) with least-recently-used eviction. An answer is kept only
on its second sighting (a compact set of recently seen digests), so a stream of one-off answers
(one shopper's order, a product read once) passes through without evicting the hot ones.
"""

from __future__ import annotations

from collections import OrderedDict

# Answers this small print in a few microseconds: not worth an entry.
MIN_ANSWER_BYTES = 1024
# An answer larger than this is not kept (one would crowd out many hot pages).
MAX_ANSWER_BYTES = 512 * 1024
# Total of the kept answer bytes and their JSON (per gateway process).
DEFAULT_BUDGET_BYTES = 16 * 1024 * 1024
# Digests of answers seen once, waiting for a second sighting before they are kept.
SEEN_ONCE_ENTRIES = 4096


class EncodedAnswers:
    """JSON by (route, answer bytes); `get` then `put` on a miss. Single-threaded (the event loop)."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._used = 0
        self._entries: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self._seen_once: OrderedDict[tuple[int, int], None] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def worth_keeping(answer: bytes) -> bool:
        return MIN_ANSWER_BYTES <= len(answer) <= MAX_ANSWER_BYTES

    def get(self, route: int, answer: bytes) -> bytes | None:
        """The JSON encoded earlier for exactly these bytes on this route, or None."""
        key = (route, answer)
        encoded = self._entries.get(key)
        if encoded is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return encoded

    def put(self, route: int, answer: bytes, encoded: bytes) -> None:
        """Keeps `encoded` for these bytes if they were seen before (and fit the bounds)."""
        if self._budget <= 0 or not self.worth_keeping(answer):
            return
        sighting = (route, hash(answer))
        if sighting not in self._seen_once:
            self._seen_once[sighting] = None
            if len(self._seen_once) > SEEN_ONCE_ENTRIES:
                self._seen_once.popitem(last=False)
            return
        del self._seen_once[sighting]
        key = (route, answer)
        if key in self._entries:
            return
        size = len(answer) + len(encoded)
        if size > self._budget:
            return
        self._entries[key] = encoded
        self._used += size
        while self._used > self._budget:
            (_, old_answer), old_encoded = self._entries.popitem(last=False)
            self._used -= len(old_answer) + len(old_encoded)

    @property
    def used_bytes(self) -> int:
        return self._used

    def __len__(self) -> int:
        return len(self._entries)
