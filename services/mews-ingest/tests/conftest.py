import sys
from pathlib import Path

# ingest_support.py holds the fixtures and helpers; the tests folder is not a package.
sys.path.insert(0, str(Path(__file__).parent))

from ingest_support import link, start_ingest  # noqa: F401  (fixtures)
