"""Suite-wide plugins: markers by folder and the guard that keeps `pytest -m unit` free of servers and
processes (tests/support/markers.py), and fixtures any test may ask for (tests/support/fixtures.py)."""

pytest_plugins = ["tests.support.markers", "tests.support.fixtures"]
