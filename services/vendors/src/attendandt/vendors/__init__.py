"""Vendors: vendors, their offerings, bookings for guests' stays, charges posted to Mews."""
