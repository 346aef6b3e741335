"""Benchmarks: speed and quality, each runnable as python -m bench.<name>."""
