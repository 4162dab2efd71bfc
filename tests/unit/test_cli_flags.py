"""The `hph` command line: the same names for the same things, internal flags hidden, old names kept."""

from __future__ import annotations

from importlib import metadata

import pytest

from hph.host.cli import build_parser


def _help(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    return capsys.readouterr().out


def test_version_comes_from_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"hph {metadata.version('holiday-peak-hub')}\n"


@pytest.mark.parametrize("command", ["up", "serve"])
def test_every_serving_command_names_both_hosts_and_ports_alike(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(command, capsys)
    for flag in ("--grpc-host", "--grpc-port", "--http-host", "--http-port", "--data-dir", "--workers"):
        assert flag in text
    assert "--worker " not in text and "--worker\n" not in text  # internal: started by `hph up` only
    assert "--host " not in text


def test_the_gateway_names_its_host_and_port_as_the_others_do(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help("gateway", capsys)
    assert "--http-host" in text and "--http-port" in text
    assert "--host " not in text and "--port " not in text


def test_the_earlier_flag_names_still_work() -> None:
    up = build_parser().parse_args(["up", "--host", "0.0.0.0", "--http-port", "9000"])
    assert (up.grpc_host, up.http_port) == ("0.0.0.0", 9000)
    gateway = build_parser().parse_args(["gateway", "--host", "0.0.0.0", "--port", "9001"])
    assert (gateway.http_host, gateway.http_port) == ("0.0.0.0", 9001)
    worker = build_parser().parse_args(["serve", "--worker", "--services", "catalog"])
    assert worker.worker


def test_mcp_says_where_it_connects_and_how_to_pass_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help("mcp", capsys)
    assert "--grpc-target" in text and "--token" in text and "HPH_TOKEN" in text
    assert "stdout carries only the protocol" in " ".join(text.split())
    args = build_parser().parse_args(["mcp", "--grpc-target", "10.0.0.5:50051", "--token", "abc"])
    assert (args.grpc_target, args.token) == ("10.0.0.5:50051", "abc")
