"""ICP pipeline: find a B2B company's Ideal Customer Profile and turn it into tiered target lists."""

__version__ = "0.1.0"
