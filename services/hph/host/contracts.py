"""The published contracts: `protos/baseline.binpb`, the image every change is checked against.

`.ci/test` checks the working tree against the baseline, not against the previous commit, so a
break spread over several commits is caught as surely as one made in a single commit. The baseline
changes only when someone runs `hph contracts baseline`, which says what the new contracts add (and
remove) and refuses a breaking change unless told `--allow-breaking`.

buf compares images one module at a time, and the workspace in buf.yaml has two (our protos and the
vendored googleapis), while an image is one: so both sides are images (`buf build`), checked with
the breaking rules buf.yaml gives the `protos` module.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from google.protobuf import descriptor_pb2

from hph.host.codegen import repo_root

BASELINE = Path("protos") / "baseline.binpb"
CONTRACTS_MODULE = "protos"
# The buf CLI `.ci/setup` installs; one on the PATH does as well.
LOCAL_BUF = Path(".ci") / "tools" / "node_modules" / ".bin" / "buf"
# Imports, not our contracts: the vendored googleapis and the well-known types (each buf or protobuf
# release brings its own descriptor.proto, which would crowd the summary).
IMPORTED_ONLY = "google/"
# What `buf breaking` exits with when it found breaking changes (other failures exit 1).
BUF_FOUND_BREAKING = 100


class ContractsError(Exception):
    """A check that could not run (no buf, no baseline, a proto that does not compile)."""


@dataclass(frozen=True)
class Changes:
    """Elements (services, RPCs, messages, fields, enums, enum values) of our contracts that one
    descriptor set has and the other lacks, each described on one line by kind and full name."""

    added: tuple[str, ...]
    removed: tuple[str, ...]

    def summary(self) -> str:
        if not self.added and not self.removed:
            return "no service, RPC, message, field, enum or enum value added or removed"
        lines = [f"added ({len(self.added)}):", *(f"  + {e}" for e in self.added)] if self.added else []
        if self.removed:
            lines += [f"removed ({len(self.removed)}):", *(f"  - {e}" for e in self.removed)]
        return "\n".join(lines)


def _elements(files: descriptor_pb2.FileDescriptorSet) -> Iterator[str]:
    """Every element that makes up the contracts, as "<kind> <full name>[ = <number>]"."""

    def enum(prefix: str, value: descriptor_pb2.EnumDescriptorProto) -> Iterator[str]:
        name = f"{prefix}.{value.name}"
        yield f"enum {name}"
        for number in value.value:
            yield f"enum value {name}.{number.name} = {number.number}"

    def message(prefix: str, value: descriptor_pb2.DescriptorProto) -> Iterator[str]:
        name = f"{prefix}.{value.name}"
        if value.options.map_entry:  # a map field's synthetic entry: the field stands for it
            return
        yield f"message {name}"
        for field in value.field:
            yield f"field {name}.{field.name} = {field.number}"
        yield from declared_in(name, value.nested_type, value.enum_type)

    def declared_in(
        prefix: str,
        messages: Iterable[descriptor_pb2.DescriptorProto],
        enums: Iterable[descriptor_pb2.EnumDescriptorProto],
    ) -> Iterator[str]:
        for each in messages:
            yield from message(prefix, each)
        for each_enum in enums:
            yield from enum(prefix, each_enum)

    for file in files.file:
        if file.name.startswith(IMPORTED_ONLY):
            continue
        for service in file.service:
            name = f"{file.package}.{service.name}"
            yield f"service {name}"
            for method in service.method:
                yield f"rpc {name}.{method.name}"
        yield from declared_in(file.package, file.message_type, file.enum_type)


def changes(old: descriptor_pb2.FileDescriptorSet, new: descriptor_pb2.FileDescriptorSet) -> Changes:
    """What `new` adds to and removes from `old`, in a stable order."""
    before, after = set(_elements(old)), set(_elements(new))
    return Changes(added=tuple(sorted(after - before)), removed=tuple(sorted(before - after)))


def read_descriptor_set(path: Path) -> descriptor_pb2.FileDescriptorSet:
    """A buf image or protoc descriptor set (an image is a FileDescriptorSet with extra fields)."""
    files = descriptor_pb2.FileDescriptorSet()
    files.ParseFromString(path.read_bytes())
    return files


def find_buf(root: Path) -> str:
    for checkout in (root, repo_root()):
        if (checkout / LOCAL_BUF).exists():
            return str(checkout / LOCAL_BUF)
    found = shutil.which("buf")
    if found is None:
        raise ContractsError(f"the buf CLI is not installed (neither {LOCAL_BUF} nor on PATH): run `bash .ci/setup`")
    return found


def breaking_config(root: Path) -> str:
    """A buf config holding the breaking rules buf.yaml gives the contracts module (WIRE_JSON)."""
    workspace = yaml.safe_load((root / "buf.yaml").read_text())
    for module in workspace.get("modules", []):
        if module.get("path") == CONTRACTS_MODULE:
            return json.dumps({"version": "v2", "breaking": module.get("breaking", {})})
    raise ContractsError(f"buf.yaml has no module {CONTRACTS_MODULE!r}")


def _buf(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([find_buf(root), *args], cwd=root, capture_output=True, text=True, check=False)


def build_image(root: Path, output: Path, *, source_info: bool) -> None:
    """`buf build` of the workspace; without source info the image is small and stable (comments
    and line numbers are no part of compatibility), with it buf's findings name lines."""
    built = _buf(root, "build", "-o", str(output), *([] if source_info else ["--exclude-source-info"]))
    if built.returncode != 0:
        raise ContractsError(f"buf build failed:\n{built.stderr.strip()}")


def breaking_changes(root: Path, image: Path, against: Path) -> list[str]:
    """buf's findings (one line each) where `image` breaks `against`; empty when compatible."""
    found = _buf(root, "breaking", str(image), "--against", str(against), "--config", breaking_config(root))
    if found.returncode == 0:
        return []
    if found.returncode == BUF_FOUND_BREAKING:
        return found.stdout.strip().splitlines()
    raise ContractsError(f"buf breaking failed:\n{(found.stderr or found.stdout).strip()}")


def check(root: Path) -> int:
    """The working tree against the baseline: 0 when compatible, 1 (listing the breaks) otherwise."""
    baseline = root / BASELINE
    if not baseline.exists():
        raise ContractsError(f"{BASELINE} is missing: run `hph contracts baseline` once to record the contracts")
    with tempfile.TemporaryDirectory(prefix="hph-contracts-") as tmp:
        image = Path(tmp) / "current.binpb"
        build_image(root, image, source_info=True)
        breaks = breaking_changes(root, image, baseline)
        pending = changes(read_descriptor_set(baseline), read_descriptor_set(image))
    if breaks:
        print(f"breaking changes against the published contracts ({BASELINE}):", *breaks, sep="\n  ", file=sys.stderr)
        return 1
    unpublished = f"; {len(pending.added)} additions not in it yet" if pending.added else ""
    print(f"contracts are compatible with {BASELINE}{unpublished}")
    return 0


def update_baseline(root: Path, *, allow_breaking: bool) -> int:
    """Records the working tree's contracts as the baseline, saying what changed since the last one.
    A breaking change is refused (exit 1) unless `allow_breaking`, and then announced loudly."""
    baseline = root / BASELINE
    with tempfile.TemporaryDirectory(prefix="hph-contracts-") as tmp:
        image = Path(tmp) / "baseline.binpb"
        build_image(root, image, source_info=False)
        if not baseline.exists():
            shutil.copyfile(image, baseline)
            print(f"wrote {BASELINE}: the first baseline")
            return 0
        found = changes(read_descriptor_set(baseline), read_descriptor_set(image))
        if image.read_bytes() == baseline.read_bytes():
            print(f"{BASELINE} is current: no changes")
            return 0
        with_lines = Path(tmp) / "current.binpb"
        build_image(root, with_lines, source_info=True)
        breaks = breaking_changes(root, with_lines, baseline)
        print(f"changes since the last baseline:\n{found.summary()}")
        if breaks and not allow_breaking:
            print(
                "REFUSED: these changes break clients of the published contracts:",
                *breaks,
                "make them additive, or rerun with --allow-breaking if every client moves with them",
                sep="\n  ",
                file=sys.stderr,
            )
            return 1
        if breaks:
            print(
                "WARNING: BREAKING CHANGES RECORDED in the baseline; clients of the old contracts break:",
                *breaks,
                sep="\n  ",
                file=sys.stderr,
            )
        shutil.copyfile(image, baseline)
    print(f"wrote {BASELINE}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `hph contracts` actions, on `parser` (the `hph` CLI's subcommand, or `main`'s own)."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("check", help="fail if the working tree's protos break the baseline (what .ci/test runs)")
    baseline = actions.add_parser(
        "baseline", help="record the working tree's protos as the baseline, saying what they add"
    )
    baseline.add_argument(
        "--allow-breaking", action="store_true", help="record a breaking change instead of refusing it"
    )
    parser.add_argument("--repo", type=Path, default=None, help=argparse.SUPPRESS)  # tests: another checkout


def run(args: argparse.Namespace) -> int:
    root = args.repo or repo_root()
    try:
        if args.action == "check":
            return check(root)
        return update_baseline(root, allow_breaking=args.allow_breaking)
    except ContractsError as exc:
        print(f"hph contracts: {exc}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hph contracts", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
