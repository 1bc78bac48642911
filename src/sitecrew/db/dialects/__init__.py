"""The few spatial SQL differences between PostGIS and SpatiaLite, one module per dialect."""
