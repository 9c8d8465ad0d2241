"""Deterministic demo landing data with a planted truth (see `generator.generate_demo_data`)."""
