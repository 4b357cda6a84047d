"""Full-text search over policies and contributions."""
