"""streets layer."""
