import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# Some integration tests share helpers of another integration test module.
sys.path.insert(0, str(Path(__file__).parent / "integration"))

from sync_support import start_sync  # noqa: F401  (fixture)
