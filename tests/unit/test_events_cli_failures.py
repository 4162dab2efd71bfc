"""`hph events` fails in one line: exit 2 for a setting or input that is not valid, exit 1 when there
is nothing to read where it was pointed (before anything is opened or created there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hph.host.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hph events: "), err
    return code, err


def test_a_data_dir_without_a_platform_is_a_failure_that_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(["events", "lag", "--data-dir", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and "no platform state in" in err and "--data-dir" in err
    assert not (tmp_path / "nowhere").exists()  # nothing created by looking


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"HPH_EVENT_LOG": "kafka"}, "HPH_EVENT_LOG='kafka': choose one of sqlite, redis"),
        ({"HPH_EVENT_LOG": "redis", "HPH_REDIS_URL": ""}, "HPH_EVENT_LOG=redis needs HPH_REDIS_URL"),
        ({"HPH_CONSUMER_BATCH_SIZE": "many"}, "HPH_CONSUMER_BATCH_SIZE='many' is not a valid int"),
    ],
)
def test_a_setting_that_is_not_valid_is_a_usage_error(
    env: dict[str, str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, err = _run(["events", "topics", "--data-dir", str(tmp_path)], capsys)
    assert code == 2 and says in err


def test_a_bad_time_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["events", "replay", "--group", "analytics", "--from", "-3x", "--data-dir", str(tmp_path)], capsys)
    assert code == 2 and "bad relative time '-3x'" in err
