"""Places read from OpenStreetMap extracts: apartment buildings, schools, residential areas, parks.

A sibling of ``streets`` (which reads the road network from the same extracts): it knows the
domain's geometry rules and nothing about databases, solvers or the API.
"""
