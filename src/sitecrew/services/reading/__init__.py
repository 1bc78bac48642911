"""Read-side use cases for the API: scoped, filtered, paginated lists and batched lookups."""
