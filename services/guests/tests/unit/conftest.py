"""Unit tests of the guests use cases on an in-memory unit of work: no Postgres, no NATS."""

from __future__ import annotations

import sys
from pathlib import Path

# The tests folder is not a package: make the fakes importable by the tests.
sys.path.insert(0, str(Path(__file__).parent))
