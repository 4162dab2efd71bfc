"""Compiles the bookstore test contract once per test process, into a temporary folder."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import grpc_tools
import pytest
from grpc_tools import protoc

PROTOS = Path(__file__).parent / "protos"
THIRD_PARTY = Path(__file__).resolve().parents[2] / "protos" / "third_party"


@dataclass(frozen=True)
class Bookstore:
    """The compiled bookstore contract: messages, stubs and the descriptor set bytes."""

    pb2: ModuleType
    pb2_grpc: ModuleType
    descriptor_set: bytes
    descriptor_path: Path


@pytest.fixture(scope="session")
def bookstore(tmp_path_factory: pytest.TempPathFactory) -> Bookstore:
    out = tmp_path_factory.mktemp("bookstore-gen")
    descriptor_path = out / "bookstore.binpb"
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTOS}",
            f"-I{THIRD_PARTY}",
            f"-I{well_known}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            f"--descriptor_set_out={descriptor_path}",
            "--include_imports",
            "--include_source_info",
            "bookstore/v1/bookstore.proto",
        ]
    )
    assert code == 0, "bookstore.proto did not compile"
    sys.path.insert(0, str(out))
    pb2 = importlib.import_module("bookstore.v1.bookstore_pb2")
    pb2_grpc = importlib.import_module("bookstore.v1.bookstore_pb2_grpc")
    return Bookstore(pb2, pb2_grpc, descriptor_path.read_bytes(), descriptor_path)
