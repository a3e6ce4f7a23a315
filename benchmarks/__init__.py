"""Benchmarks and their synthetic corpus (`corpus_gen`), reusable by scale and start-up runs."""
