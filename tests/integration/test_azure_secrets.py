"""Secrets never logged: the Azure adapters, connected to a private azurite whose account key is
random (tests/support/azurite.py), do real work and fail for real with every logger at DEBUG; no log
line (as captured, and as the platform's JSON formatter writes it), repr or error message carries
the key or the connection strings."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hph.runtime.eventlog import open_event_log
from hph.runtime.eventlog.eventhubs import EventHubsEventLog
from hph.runtime.logs import JsonFormatter
from hph.runtime.memory import MemoryTierError, Record
from hph.runtime.memory.factory import open_cold_store
from hph.runtime.settings import Settings
from tests.support.azurite import Azurite

EVENTHUBS_KEY = "ZXZlbnQtaHVicy1rZXktdGhhdC1tdXN0LW5ldmVyLWxlYWs="


def secrets_of(azurite: Azurite) -> list[str]:
    eventhubs = f"Endpoint=sb://127.0.0.1/;SharedAccessKeyName=root;SharedAccessKey={EVENTHUBS_KEY}"
    return [azurite.key, azurite.connection_string, EVENTHUBS_KEY, eventhubs]


async def test_no_log_line_repr_or_error_carries_a_key(azurite: Azurite, caplog: pytest.LogCaptureFixture) -> None:
    container = f"cold-{uuid.uuid4().hex[:12]}"
    settings = Settings(
        event_log="eventhubs",
        memory_cold="blob",
        memory_cold_container=container,
        eventhubs_checkpoint_container=f"checkpoints-{uuid.uuid4().hex[:12]}",
        azure_emulator=True,
        azure_storage_connection_string=azurite.connection_string,
        eventhubs_connection_string=secrets_of(azurite)[3],
        log_level="DEBUG",
    )
    texts: list[str] = [repr(settings), str(settings)]
    caplog.set_level(logging.DEBUG)

    cold = open_cold_store(settings)
    record = Record("a.b", "k", 1, "json", b"1", datetime.now(UTC), datetime.now(UTC))
    await cold.put(record)
    assert await cold.get("a.b", "k") == record
    assert await cold.purge_expired(datetime.now(UTC) + timedelta(seconds=1)) == 1
    texts.append(repr(cold))
    await cold.close()

    broken = open_cold_store(Settings(**{**settings.__dict__, "memory_cold_container": "x"}))  # name too short
    with pytest.raises(MemoryTierError) as failed:
        await broken.put(record)
    texts.extend([str(failed.value), repr(failed.value.__cause__)])
    await broken.close()

    log = await open_event_log(settings)
    assert isinstance(log, EventHubsEventLog)
    try:
        assert await log.join("payments", "host-a", timedelta(seconds=10)) == ["host-a"]
        await log.leave("payments", "host-a")
        texts.append(repr(log))
    finally:
        await log.close()

    formatter = JsonFormatter()
    assert caplog.records, "the Azure SDK logged its requests at this level"
    assert any("azure" in entry.name for entry in caplog.records)
    texts.extend(caplog.text.splitlines())
    texts.extend(formatter.format(entry) for entry in caplog.records)
    assert any("Authorization" in text and azurite.account in text for text in texts)  # requests were logged
    for secret in secrets_of(azurite):
        leaks = [text for text in texts if secret in text]
        assert leaks == [], f"a secret leaked into {leaks[:3]}"
