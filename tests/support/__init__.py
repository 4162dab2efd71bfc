"""What the tests and benchmarks share, one module a job; import them as `tests.support.<module>`.

- platform_harness: the platform in-process on free ports (`Hub`, `running_hub`, `start_hub`).
- rest_harness: that platform behind the REST gateway (`RestHub`, `start_rest_hub`).
- hph_process: `hph` as a subprocess (`start_hph`, `stop_hph`, `run_hph`, `hph_token`, banner readers).
- shoppers: callers of a gRPC test (`staff`, `admin`, `Shopper`, `a_shopper`, `HOME`, `stocked_products`).
- tokens: bearer tokens (`signed_bearer`, `bearer_metadata`, `unsigned_bearer`, `Metadata`).
- rich_status: failed calls (`expect_error`, `reason`, `violated_fields`, `precondition_violations`).
- rest_json: REST answers (`answer`, `ok`, `ADDRESS`, `Json`).
- events: consumer groups of a test's own on the platform's event log, and letting the relay and the
  consumers finish (`Recorder`, `published`, `settle`).
- waiting: `eventually` (until a condition holds) and `read_until` (until an answer is done).
- clocks: `ManualClock`, a clock the test moves.
- ports: `free_port`, `refused_address`.
- raw_http: `RawHttpClient`, a lean keep-alive HTTP/1.1 client (the benchmarks' load generator).
- protoc: `compile_descriptor_set` for test-only .proto files.
- fixtures, markers: pytest plugins (tests/conftest.py loads them): the `store` fixture; the
  unit/integration/e2e markers and the guard that keeps `pytest -m unit` free of servers.
"""
