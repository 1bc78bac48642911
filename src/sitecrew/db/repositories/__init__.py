"""Typed query helpers per aggregate: ``get``, ``get_or_raise``, ``list_*``."""
