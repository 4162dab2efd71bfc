"""A user's small owned collection (saved addresses, saved payment methods) in one container
partitioned by /user_id, with its invariants kept atomically:

- at most `limit` items per user (FAILED_PRECONDITION, reason LIMIT_REACHED, beyond);
- at most one default; the first item is always the default; making one the default clears the
  others in the same transactional batch;
- deleting the default promotes the most recently created remaining item (`rules.newest`).

Concurrency: next to the items, each user's partition holds one marker document (the "book") that
every write of the collection replaces with `if_match` inside the same batch. Two concurrent writes
to one user's collection therefore cannot both commit on the state they read: the loser's batch
fails as a whole and is re-planned on fresh state (hph.runtime.commit). That is what keeps "first item is default" and
the limit exact even for two simultaneous first creates, which item-level etags alone cannot.

A caller only ever names its own partition (the token subject), so someone else's id is NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.commit import Done, Write, Written, commit, stored
from hph.runtime.errors import Aborted, FailedPrecondition, NotFound
from hph.runtime.storage import (
    BatchOperation,
    Container,
    CreateOp,
    DeleteOp,
    Document,
    Eq,
    NotFoundError,
    OrderBy,
    Page,
    Query,
    ReplaceOp,
)
from hph.services.users import rules

BOOK_ID = "_book"
KIND = "kind"
# Default first (booleans sort false < true), then newest first.
LIST_ORDER = (OrderBy("is_default", descending=True), OrderBy("created_at", descending=True))


@dataclass(frozen=True)
class _State:
    """What one attempt read: the book (None before the first write) and every item."""

    book: Document | None
    items: list[Document]

    def find(self, item_id: str) -> Document | None:
        return next((item for item in self.items if item["id"] == item_id), None)


class OwnedCollection:
    """Addresses or payment methods of users; `kind` tags the item documents in the container."""

    def __init__(self, container: Container, *, kind: str, what: str, limit: int, clock: Clock) -> None:
        self._container = container
        self._kind = kind
        self._what = what
        self._limit = limit
        self._clock = clock

    async def get(self, user_id: str, item_id: str) -> Document:
        try:
            doc = await self._container.read(item_id, user_id)
        except NotFoundError:
            doc = None
        if doc is None or doc.get(KIND) != self._kind:
            raise NotFound(f"{self._what} {item_id!r} not found")
        return doc

    async def page(self, user_id: str, *, page_size: int, continuation: str | None) -> Page:
        return await self._container.query(
            Query(where=Eq(KIND, self._kind), order_by=LIST_ORDER),
            partition_key=user_id,
            max_items=page_size,
            continuation=continuation,
        )

    async def create(self, user_id: str, doc: Document, *, make_default: bool) -> Document:
        """Saves `doc` (its id set by the caller; an existing id is returned as is: a retried create)."""

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            state = await self._read_state(user_id)
            existing = state.find(doc["id"])
            if existing is not None:
                return Done(existing)
            if len(state.items) >= self._limit:
                raise FailedPrecondition(
                    f"at most {self._limit} saved {self._what}s per user; delete one first",
                    subject=f"users/{user_id}",
                    reason=ErrorReason.ERROR_REASON_LIMIT_REACHED,
                )
            is_default = make_default or not state.items
            item = {**doc, KIND: self._kind, "user_id": user_id, "is_default": is_default}
            ops: list[BatchOperation] = [self._book_op(user_id, state), CreateOp(item)]
            if is_default:
                ops += self._clear_defaults(state, keep=item["id"])
            return Write(ops, stored(1))

        busy = f"the {self._what}s of this user are being changed concurrently; retry"
        return await commit(self._container, user_id, plan, busy=busy)

    async def update(
        self,
        user_id: str,
        item_id: str,
        mutate: Callable[[Document], Document],
        *,
        make_default: bool | None,
        expected_etag: str,
    ) -> Document:
        """Applies `mutate` (which may raise InvalidArgument) and the optional default flag."""

        async def plan(attempt: int) -> Write[Document]:
            state = await self._read_state(user_id)
            current = self._as_expected(state, item_id, expected_etag)
            updated = mutate(dict(current))
            if make_default is not None:
                updated["is_default"] = make_default
            updated["updated_at"] = self._now()
            ops: list[BatchOperation] = [
                self._book_op(user_id, state),
                ReplaceOp(updated, if_match=current["_etag"]),
            ]
            if make_default:
                ops += self._clear_defaults(state, keep=item_id)
            return Write(ops, stored(1))

        busy = self._busy(item_id)
        return await commit(self._container, user_id, plan, busy=busy)

    async def delete(self, user_id: str, item_id: str, *, expected_etag: str) -> None:
        async def plan(attempt: int) -> Write[None]:
            state = await self._read_state(user_id)
            current = self._as_expected(state, item_id, expected_etag)
            ops: list[BatchOperation] = [
                self._book_op(user_id, state),
                DeleteOp(item_id, if_match=current["_etag"]),
            ]
            if current.get("is_default"):
                successor = rules.newest(item for item in state.items if item["id"] != item_id)
                if successor is not None:
                    promoted = {**successor, "is_default": True, "updated_at": self._now()}
                    ops.append(ReplaceOp(promoted, if_match=successor["_etag"]))
            return Write(ops, _nothing)

        busy = self._busy(item_id)
        await commit(self._container, user_id, plan, busy=busy)

    # --- helpers --------------------------------------------------------------------------

    async def _read_state(self, user_id: str) -> _State:
        # The book is read first: any write after this read bumps it, so the batch fails and we re-plan.
        try:
            book: Document | None = await self._container.read(BOOK_ID, user_id)
        except NotFoundError:
            book = None
        page = await self._container.query(
            Query(where=Eq(KIND, self._kind)), partition_key=user_id, max_items=self._limit + 1
        )
        return _State(book=book, items=page.items)

    def _as_expected(self, state: _State, item_id: str, expected_etag: str) -> Document:
        """The item to change: NotFound when it is gone, Aborted when it is not the version the
        caller read (`expected_etag`, when given)."""
        current = state.find(item_id)
        if current is None:
            raise NotFound(f"{self._what} {item_id!r} not found")
        if expected_etag and current.get("_etag") != expected_etag:
            raise Aborted(f"{self._what} {item_id!r} changed since etag {expected_etag!r}; read it again")
        return current

    def _busy(self, item_id: str) -> str:
        return f"{self._what} {item_id!r} is being changed concurrently; retry"

    def _book_op(self, user_id: str, state: _State) -> BatchOperation:
        if state.book is None:
            return CreateOp({"id": BOOK_ID, "user_id": user_id, KIND: "book", "version": 1})
        bumped = {**state.book, "version": int(state.book.get("version", 0)) + 1}
        return ReplaceOp(bumped, if_match=state.book["_etag"])

    def _clear_defaults(self, state: _State, *, keep: str) -> list[BatchOperation]:
        now = self._now()
        return [
            ReplaceOp({**item, "is_default": False, "updated_at": now}, if_match=item["_etag"])
            for item in state.items
            if item.get("is_default") and item["id"] != keep
        ]

    def _now(self) -> str:
        return clocks.to_iso(self._clock())


def _nothing(written: Written) -> None:
    return None
