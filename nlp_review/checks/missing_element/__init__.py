"""Category "missing_element": what the format requires sections one, five and six to state."""
