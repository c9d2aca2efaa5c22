"""A tiny service schema for the platform tests: one table plus inbox and outbox."""

from sqlalchemy import Column, Integer, MetaData, Table, Text

from attendandt.platform.inbox import inbox_table
from attendandt.platform.outbox import outbox_table

SCHEMA = "sample"
metadata = MetaData(schema=SCHEMA)
counters = Table(
    "counters",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)
inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
