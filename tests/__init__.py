"""The test suite; a package so that `tests.support` imports the same way from pytest and from the
benchmarks in tests/perf (run from the repository root or with its root on the path, see pyproject)."""
