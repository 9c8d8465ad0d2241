"""Data-quality gates: Great Expectations suites for raw tables and the feature mart."""
