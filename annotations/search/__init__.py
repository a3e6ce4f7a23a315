"""Full-text search across the corpus."""
