from attendandt.platform.migrations import run_env
from attendandt.vendors.models import metadata

run_env(metadata)
