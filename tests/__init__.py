"""The test suite, a package so that `tests.support` imports the same way from pytest (pyproject:
pythonpath) and from the benchmarks run as scripts (the venv has the repository root on its path:
.ci/setup)."""
