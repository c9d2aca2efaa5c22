"""Attendandt platform."""
