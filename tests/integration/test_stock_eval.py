"""`hph eval stock` end to end: a generated history through the real services, the replenishment
backtest and the spike alerts' precision against their floors (CI fails below them)."""

from __future__ import annotations

import argparse

import pytest

from hph.host import evaluate

pytestmark = pytest.mark.integration


@pytest.mark.timeout(900)
def test_hph_eval_stock_meets_its_floors(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args(["stock"])) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "WAPE" in printed and "stock-out days from a lean start" in printed and "precision" in printed
    assert evaluate.run(parser.parse_args(["stock", "--grpc", "127.0.0.1:1"])) == 2
