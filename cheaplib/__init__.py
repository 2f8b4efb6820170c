"""Deep & Cheap compute package."""
