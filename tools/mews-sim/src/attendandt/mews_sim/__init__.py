"""Mews Connector API simulator."""
