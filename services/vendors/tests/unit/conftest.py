"""Unit tests of the vendors use cases on an in-memory unit of work: no Postgres, no NATS (they
ask for none of the session's fixtures)."""

from __future__ import annotations

import sys
from pathlib import Path

# The tests folder is not a package: make the fakes importable by the tests.
sys.path.insert(0, str(Path(__file__).parent))
