"""Compiling test-only .proto files (the bookstore contract, small broken or hostile ones) with
grpc_tools' protoc, the googleapis annotations and the well-known types on the include path."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

REPO = Path(__file__).resolve().parents[2]
THIRD_PARTY = REPO / "protos" / "third_party"
WELL_KNOWN = Path(os.path.dirname(grpc_tools.__file__)) / "_proto"


def compile_descriptor_set(
    source_root: Path,
    *files: str,
    out: Path,
    includes: Sequence[Path] = (),
    python_out: Path | None = None,
    source_info: bool = False,
) -> bytes:
    """Compiles `files` (paths under `source_root`) into a descriptor set at `out`, with their imports;
    its bytes. `python_out`: also generate messages and gRPC stubs there; `source_info`: keep the
    comments (what OpenAPI descriptions are made of)."""
    args = [
        "grpc_tools.protoc",
        f"-I{source_root}",
        *(f"-I{folder}" for folder in includes),
        f"-I{THIRD_PARTY}",
        f"-I{WELL_KNOWN}",
        f"--descriptor_set_out={out}",
        "--include_imports",
    ]
    if python_out is not None:
        args += [f"--python_out={python_out}", f"--grpc_python_out={python_out}"]
    if source_info:
        args.append("--include_source_info")
    assert protoc.main([*args, *files]) == 0, f"{', '.join(files)} did not compile"
    return out.read_bytes()
