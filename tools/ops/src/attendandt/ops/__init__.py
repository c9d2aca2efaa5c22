"""Attendandt ops CLI."""
