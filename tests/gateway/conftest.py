"""Compiles the bookstore test contract once per test process, into a temporary folder."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.protoc import compile_descriptor_set

PROTOS = Path(__file__).parent / "protos"


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
    descriptor_set = compile_descriptor_set(
        PROTOS, "bookstore/v1/bookstore.proto", out=descriptor_path, python_out=out, source_info=True
    )
    # The generated stubs import their messages as `bookstore.v1...`, so the output folder goes on
    # the path (it exists only for this test session).
    sys.path.insert(0, str(out))
    pb2 = importlib.import_module("bookstore.v1.bookstore_pb2")
    pb2_grpc = importlib.import_module("bookstore.v1.bookstore_pb2_grpc")
    return Bookstore(pb2, pb2_grpc, descriptor_set, descriptor_path)
