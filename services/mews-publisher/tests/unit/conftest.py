"""Unit tests of the publisher's use cases on an in-memory unit of work and a fake Mews
client: no Postgres, no NATS, no HTTP."""

from __future__ import annotations

import sys
from pathlib import Path

# The tests folder is not a package: make the fakes importable by the tests.
sys.path.insert(0, str(Path(__file__).parent))
