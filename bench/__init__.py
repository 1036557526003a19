"""Benchmarks and the simulated OpenAI-compatible endpoint they run against."""
