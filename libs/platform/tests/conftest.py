import sys
from pathlib import Path

# The sample service schema (sample_models.py) is shared by these tests and the sample
# migrations' env.py; the tests folder is not a package, so put it on the path.
sys.path.insert(0, str(Path(__file__).parent))
