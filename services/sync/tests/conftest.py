import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sync_support import start_sync  # noqa: F401  (fixture)
