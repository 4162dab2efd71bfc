"""Suite-wide: markers by folder and the guard that keeps `pytest -m unit` free of servers and
processes (tests/support/markers.py)."""

pytest_plugins = ["tests.support.markers"]
