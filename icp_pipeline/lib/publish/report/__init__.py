"""The HTML report a sales leader acts on in two minutes (`render_report`)."""

from .html import render_report

__all__ = ["render_report"]
