"""Expansion planning (issue 18): reach of a depot, demand in a new region, depot siting."""
