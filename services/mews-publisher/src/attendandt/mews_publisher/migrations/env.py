from attendandt.mews_publisher.models import metadata
from attendandt.platform.migrations import run_env

run_env(metadata)
