"""Sitecrew: crews, sites and daily routes over OpenStreetMap street graphs."""

__version__ = "0.1.0"
