"""Attendandt message contracts: subjects paired with msgspec payloads, streams and buckets.

Depends on msgspec only (nats-py for `ensure_streams`, imported when called), so other hotel
systems can use it to read our events.
"""

from attendandt.contracts.base import Payload, Subject, decode, encode

__all__ = ["Payload", "Subject", "decode", "encode"]
