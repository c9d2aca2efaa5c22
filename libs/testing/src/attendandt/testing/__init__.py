"""Attendandt testing."""
