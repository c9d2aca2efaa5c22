"""The guests service: Mews customers and reservations as guests and stays, and the guest
timeline of stays, vendor bookings and charges."""
