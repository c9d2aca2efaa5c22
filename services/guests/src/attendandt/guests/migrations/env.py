from attendandt.guests.models import metadata
from attendandt.platform.migrations import run_env

run_env(metadata)
