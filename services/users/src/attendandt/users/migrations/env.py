from attendandt.platform.migrations import run_env
from attendandt.users.models import metadata

run_env(metadata)
