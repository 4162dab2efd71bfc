"""What the tests and benchmarks share, one module a job (import them as `tests.support.<module>`)."""
