"""`hph codegen` on a copy of the checkout: the TypeScript client's drift fails `--check`, a plain
run regenerates it, and its tools missing is an error unless .ci/setup recorded that it found no npm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hph.host import codegen, ts_codegen

ROOT = codegen.repo_root()
GENERATED = ts_codegen.GENERATED_DIR
CLIENT_MODULES = ts_codegen.CLIENT_DIR / "node_modules"
TOOLS_MODULES = Path(".ci/tools/node_modules")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The files `hph codegen` reads and checks, copied; the npm packages linked, not copied."""
    missing = ts_codegen.missing_tools(ROOT)
    if missing:
        pytest.skip(f"the TypeScript client's tools are not installed ({', '.join(missing)}): run `bash .ci/setup`")
    copy = tmp_path / "repo"
    for tree in ("protos", "services/holidaypeak", str(GENERATED)):
        shutil.copytree(ROOT / tree, copy / tree)
    for file in ("buf.yaml", str(ts_codegen.BUF_TEMPLATE), "docs/error-reasons.md"):
        (copy / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / file, copy / file)
    for modules in (CLIENT_MODULES, TOOLS_MODULES):
        (copy / modules).parent.mkdir(parents=True, exist_ok=True)
        (copy / modules).symlink_to(ROOT / modules, target_is_directory=True)
    return copy


# Three whole generations (protoc, buf, openapi-typescript) of ~10 s each on a loaded machine.
@pytest.mark.timeout(300)
def test_typescript_drift_fails_the_check_and_codegen_repairs_it(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    order = checkout / GENERATED / "grpc/holidaypeak/commerce/v1/order_pb.ts"
    order.write_text(order.read_text() + "export const handEdited = true;\n")
    (checkout / GENERATED / "rest.ts").unlink()

    assert codegen.main(["--check", "--repo", str(checkout)]) == 1
    stale = capsys.readouterr().err
    assert f"differs: grpc/holidaypeak/commerce/v1/order_pb.ts (in {GENERATED})" in stale
    assert f"missing: rest.ts (in {GENERATED})" in stale

    assert codegen.main(["--repo", str(checkout)]) == 0
    assert "handEdited" not in order.read_text()
    assert (checkout / GENERATED / "rest.ts").read_text() == (ROOT / GENERATED / "rest.ts").read_text()
    assert codegen.main(["--check", "--repo", str(checkout)]) == 0


def test_missing_tools_fail_unless_setup_found_no_npm(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (checkout / CLIENT_MODULES).unlink()
    assert codegen.main(["--check", "--repo", str(checkout)]) == 1
    assert "run `bash .ci/setup`" in capsys.readouterr().err

    (checkout / ts_codegen.NO_NODE_MARKER).write_text("npm was not found when .ci/setup ran\n")
    assert codegen.main(["--check", "--repo", str(checkout)]) == 0
    assert "TypeScript client SKIPPED: npm was not found" in capsys.readouterr().err
