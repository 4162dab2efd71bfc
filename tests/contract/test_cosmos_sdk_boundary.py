"""SDK-BOUNDARY contract tests of the Cosmos DB adapter: what no emulator here can show.

The npm emulator (tests/support/cosmos_emulator.py) runs the shared storage contract for point
operations, queries, continuation tokens and ETags. It has no transactional batch, never throttles
and keeps no session tokens, so these tests put a recording stand-in for the SDK's `ContainerProxy`
under the adapter and assert the exact SDK calls it makes and how it reads the SDK's answers
(results, `CosmosBatchOperationError`, 429 with `x-ms-retry-after-ms`, session-token headers).
They prove the adapter's side of the boundary only; the SDK's side is Microsoft's.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.core.utils import CaseInsensitiveDict
from azure.cosmos._cosmos_responses import CosmosDict, CosmosList
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from hph.runtime.settings import Settings
from hph.runtime.storage import (
    BatchError,
    ConflictError,
    CreateOp,
    DeleteOp,
    Document,
    NotFoundError,
    PreconditionFailedError,
    Query,
    ReadOp,
    ReplaceOp,
    StorageError,
    UpsertOp,
)
from hph.runtime.storage.cosmos import CosmosContainer, CosmosDocumentStore, ThrottlePolicy
from tests.support.cosmos_emulator import EMULATOR_KEY

ACCOUNT = "https://acct.documents.azure.com:443"


def _headers(**values: str) -> CaseInsensitiveDict:
    return CaseInsensitiveDict({key.replace("_", "-"): value for key, value in values.items()})


def _stored(doc: Document, etag: str) -> CosmosDict:
    body = {**doc, "_etag": etag, "_ts": 1_800_000_000, "_rid": "rid==", "_self": "dbs/x/", "_attachments": "a/"}
    return CosmosDict(body, response_headers=_headers(x_ms_session_token="0:-1#7"))


def _status_error(status: int, **headers: str) -> CosmosHttpResponseError:
    error = CosmosHttpResponseError(status_code=status, message=f"answered {status}\ndiagnostics: ...")
    error.headers = _headers(**headers)
    return error


class FakeSdkContainer:
    """Records every SDK call (name, args, kwargs); answers from `answers[name]`, a list consumed in
    order, each an exception to raise or a callable of the call's args returning the result."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.answers: dict[str, list[Any]] = {}

    def _answer(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((name, args, kwargs))
        answer = self.answers[name].pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer(*args, **kwargs) if callable(answer) else answer

    async def read_item(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("read_item", *args, **kwargs)

    async def create_item(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("create_item", *args, **kwargs)

    async def replace_item(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("replace_item", *args, **kwargs)

    async def upsert_item(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("upsert_item", *args, **kwargs)

    async def delete_item(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("delete_item", *args, **kwargs)

    async def execute_item_batch(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("execute_item_batch", *args, **kwargs)

    def query_items(self, *args: Any, **kwargs: Any) -> Any:
        rows = self._answer("query_items", *args, **kwargs)

        async def pages() -> Any:
            for row in rows:
                yield row

        return pages()


class _Client:
    async def close(self) -> None:
        return None


def _container(
    sdk: FakeSdkContainer, throttle: ThrottlePolicy | None = None
) -> tuple[CosmosDocumentStore, CosmosContainer]:
    store = CosmosDocumentStore(
        _Client(),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        ACCOUNT,
        manage_containers=False,
        throttle=throttle or ThrottlePolicy(),
    )
    base = (("/id", False), ("/user_id", False))
    container = CosmosContainer(store, sdk, "carts", "/user_id", ("user_id",), {base})  # type: ignore[arg-type]
    return store, container


# --- transactional batch (the emulator has none) ------------------------------------------------


async def test_sdk_boundary_batch_sends_one_execute_item_batch_with_each_operation() -> None:
    sdk = FakeSdkContainer()
    store, carts = _container(sdk)
    told: list[tuple[str, list[Document]]] = []
    store.add_commit_listener(lambda container, pk, docs: told.append((pk, list(docs))))

    def results(operations: list[Any], **_: Any) -> CosmosList:
        answers = [
            {"statusCode": 201, "resourceBody": _stored(operations[0][1][0], '"e1"')},
            {"statusCode": 200, "resourceBody": _stored(operations[1][1][1], '"e2"')},
            {"statusCode": 200, "resourceBody": _stored(operations[2][1][0], '"e3"')},
            {"statusCode": 204},
            {"statusCode": 200, "resourceBody": _stored({"id": "new", "user_id": "u1"}, '"e1"')},
        ]
        return CosmosList(answers, response_headers=_headers(x_ms_session_token="0:-1#9"))

    sdk.answers["execute_item_batch"] = [results]
    out = await carts.batch(
        "u1",
        [
            CreateOp({"id": "new", "user_id": "u1", "_etag": "forged"}),
            ReplaceOp({"id": "old", "user_id": "u1", "v": 2}, if_match='"e0"'),
            UpsertOp({"id": "up", "user_id": "u1"}),
            DeleteOp("gone", if_match='"e9"'),
            ReadOp("new"),
        ],
    )

    [(name, args, kwargs)] = sdk.calls
    assert name == "execute_item_batch"
    assert args == (
        [
            ("create", ({"id": "new", "user_id": "u1"},)),
            ("replace", ("old", {"id": "old", "user_id": "u1", "v": 2}), {"if_match_etag": '"e0"'}),
            ("upsert", ({"id": "up", "user_id": "u1"},), {}),
            ("delete", ("gone",), {"if_match_etag": '"e9"'}),
            ("read", ("new",)),
        ],
    )
    assert kwargs == {"partition_key": "u1"}
    assert [doc["_etag"] if doc else None for doc in out] == ['"e1"', '"e2"', '"e3"', None, '"e1"']
    assert all("_rid" not in doc for doc in out if doc)  # documents look alike across adapters
    assert told == [("u1", [out[0], out[1], out[2]])]
    assert told[0][1][0] is not out[0]  # listeners get copies the caller's changes do not reach


@pytest.mark.parametrize(
    ("status", "error"),
    [(409, ConflictError), (412, PreconditionFailedError), (404, NotFoundError), (400, StorageError)],
)
async def test_sdk_boundary_batch_failure_names_the_failing_operation(status: int, error: type[Exception]) -> None:
    sdk = FakeSdkContainer()
    store, carts = _container(sdk)
    told: list[Any] = []
    store.add_commit_listener(lambda *args: told.append(args))
    responses = [{"statusCode": 424}, {"statusCode": status}, {"statusCode": 424}]
    sdk.answers["execute_item_batch"] = [
        CosmosBatchOperationError(
            error_index=1, headers={}, status_code=status, message="failed", operation_responses=responses
        )
    ]

    with pytest.raises(BatchError) as caught:
        await carts.batch("u1", [ReadOp("a"), CreateOp({"id": "b", "user_id": "u1"}), ReadOp("c")])

    assert caught.value.index == 1
    assert type(caught.value.cause) is error
    assert told == []


async def test_sdk_boundary_batch_with_an_etag_no_write_issued_fails_without_calling_the_sdk() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk)

    with pytest.raises(BatchError) as caught:
        await carts.batch("u1", [ReadOp("a"), ReplaceOp({"id": "b", "user_id": "u1"}, if_match="")])

    assert caught.value.index == 1
    assert isinstance(caught.value.cause, PreconditionFailedError)
    assert sdk.calls == []


# --- throttling (429) -------------------------------------------------------------------------


async def test_sdk_boundary_throttled_calls_wait_what_the_server_asks_then_succeed() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk)
    sdk.answers["read_item"] = [
        _status_error(429, x_ms_retry_after_ms="40"),
        _status_error(429, x_ms_retry_after_ms="60"),
        _stored({"id": "c1", "user_id": "u1"}, '"e1"'),
    ]

    started = time.monotonic()
    doc = await carts.read("c1", "u1")

    assert time.monotonic() - started >= 0.1
    assert doc["id"] == "c1"
    assert [name for name, _, _ in sdk.calls] == ["read_item"] * 3


async def test_sdk_boundary_throttling_is_bounded_by_attempts() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk, ThrottlePolicy(attempts=3, max_wait=10.0))
    sdk.answers["read_item"] = [_status_error(429, x_ms_retry_after_ms="1") for _ in range(5)]

    with pytest.raises(StorageError, match=r"throttled \(429\) after 3 attempts"):
        await carts.read("c1", "u1")
    assert len(sdk.calls) == 3


async def test_sdk_boundary_a_retry_after_beyond_the_wait_budget_fails_at_once() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk, ThrottlePolicy(attempts=10, max_wait=1.0))
    sdk.answers["create_item"] = [_status_error(429, x_ms_retry_after_ms="5000")]

    started = time.monotonic()
    with pytest.raises(StorageError, match="throttled"):
        await carts.create({"id": "c1", "user_id": "u1"})
    assert time.monotonic() - started < 0.5
    assert len(sdk.calls) == 1


# --- session consistency, ETags, errors -----------------------------------------------------------


async def test_sdk_boundary_reads_and_queries_send_the_session_token_of_the_partitions_last_write() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk)
    sdk.answers["create_item"] = [lambda body: _stored(body, '"e1"')]
    sdk.answers["read_item"] = [
        _stored({"id": "c1", "user_id": "u1"}, '"e1"'),
        _stored({"id": "x", "user_id": "u2"}, ""),
    ]
    sdk.answers["query_items"] = [[], [3]]

    await carts.create({"id": "c1", "user_id": "u1"})
    await carts.read("c1", "u1")
    await carts.read("x", "u2")
    await carts.query(Query(), partition_key="u1")
    assert await carts.count(Query()) == 3

    reads = [kwargs for name, _, kwargs in sdk.calls if name == "read_item"]
    assert reads == [{"partition_key": "u1", "session_token": "0:-1#7"}, {"partition_key": "u2"}]
    queries = [kwargs for name, _, kwargs in sdk.calls if name == "query_items"]
    assert queries[0]["session_token"] == "0:-1#7" and queries[0]["partition_key"] == "u1"
    assert "session_token" not in queries[1] and "partition_key" not in queries[1]
    assert all(isinstance(p["value"], str | int) for q in queries for p in q["parameters"])


async def test_sdk_boundary_if_match_is_an_if_not_modified_condition_and_412_a_precondition_failure() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk)
    sdk.answers["replace_item"] = [_status_error(412)]
    sdk.answers["delete_item"] = [None]

    with pytest.raises(PreconditionFailedError):
        await carts.replace({"id": "c1", "user_id": "u1"}, if_match='"e1"')
    await carts.delete("c1", "u1", if_match='"e2"')

    assert sdk.calls[0] == (
        "replace_item",
        ("c1", {"id": "c1", "user_id": "u1"}),
        {"etag": '"e1"', "match_condition": MatchConditions.IfNotModified},
    )
    assert sdk.calls[1][2] == {"partition_key": "u1", "etag": '"e2"', "match_condition": MatchConditions.IfNotModified}


async def test_sdk_boundary_server_failures_are_storage_errors_naming_the_account_only() -> None:
    sdk = FakeSdkContainer()
    _, carts = _container(sdk)
    sdk.answers["read_item"] = [_status_error(503)]

    with pytest.raises(StorageError) as caught:
        await carts.read("c1", "u1")

    assert str(caught.value) == f"cosmos ({ACCOUNT}): 503 Status code: 503"
    assert "diagnostics" not in str(caught.value)


# --- secrets ---------------------------------------------------------------------------------------


def test_the_account_key_is_not_in_the_settings_repr() -> None:
    settings = Settings(storage="cosmos", cosmos_endpoint=ACCOUNT, cosmos_key=EMULATOR_KEY)

    assert EMULATOR_KEY not in repr(settings)
    assert EMULATOR_KEY[:12] not in str(settings)


@pytest.mark.integration
async def test_the_account_key_is_never_logged_nor_in_errors(
    cosmos_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    failures: list[str] = []

    async def attempt(open_store: Callable[[], Any]) -> None:
        try:
            store = await open_store()
        except StorageError as exc:
            failures.append(f"{exc!r} {exc.__cause__!r}")
        else:
            carts = await store.container("carts", "/user_id")
            await carts.create({"id": "c1", "user_id": "u1"})
            await carts.read("c1", "u1")
            await store.close()

    await attempt(lambda: CosmosDocumentStore.open(cosmos_endpoint, "absent_db", key=EMULATOR_KEY, verify_tls=False))
    await attempt(
        lambda: CosmosDocumentStore.open(
            cosmos_endpoint, f"t_{uuid.uuid4().hex[:16]}", key=EMULATOR_KEY, verify_tls=False, manage_containers=True
        )
    )

    assert failures and "does not exist" in failures[0]
    assert any("cosmos" in record.name or "azure" in record.name for record in caplog.records)
    for text in [caplog.text, *failures]:
        assert EMULATOR_KEY not in text
        assert EMULATOR_KEY[:16] not in text
