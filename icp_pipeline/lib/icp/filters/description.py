"""Description: a filter in words for sales and marketing (`with employee count between 200 and 2000`)."""

from __future__ import annotations

from icp_pipeline.lib.model.families import display_name
from icp_pipeline.lib.model.labels import attribute_label, format_value, humanize, readable_value

from .syntax import Attr, Between, BoolOp, Compare, Event, InList, Node, Not, Uses, Value, parse_filter

_OP_WORDS = {">=": "≥", "<=": "≤", "!=": "≠", "=": "=", ">": ">", "<": "<"}


def _name(attr: Attr) -> str:
    return display_name(attr.name).replace("_", " ")


def _technology(name: str) -> str:
    """A technology as named in a filter, as a product name: 'google_cloud' -> 'Google Cloud'."""
    return humanize(name, title=True) if name == name.lower() else name


def _show(value: Value, attr: Attr) -> str:
    """A filter's value as written for its attribute: a year without separators (`2000`, not
    `2,000`; the unit by the attribute's name, as labels.attribute_label), other numbers as `show`."""
    if value.number is not None and attribute_label(attr.name)[1] == "year":
        return format_value(value.number, "year")
    if (
        value.number is None
    ):  # a category code as people read it: 'financial_services' -> 'Financial services'
        return readable_value(value.text)
    return value.show()


def _describe(node: Node, nested: bool = False) -> str:
    if isinstance(node, BoolOp):
        text = f" {node.op} ".join(_describe(item, nested=True) for item in node.items)
        return f"({text})" if nested else text
    if isinstance(node, Not):
        return _describe_not(node.item)
    if isinstance(node, Uses):
        return f"{'not using' if node.negate else 'using'} {_technology(node.technology)}"
    if isinstance(node, Event):
        return f"with a {node.event_type} event in the last {node.months} months"
    if isinstance(node, Between):
        return (
            f"with {_name(node.attr)} between {_show(node.low, node.attr)} and {_show(node.high, node.attr)}"
        )
    if isinstance(node, InList):
        values = ", ".join(_show(v, node.attr) for v in node.values)
        return f"with {_name(node.attr)} {'not in' if node.negate else 'in'} {values}"
    return f"with {_name(node.attr)} {_OP_WORDS[node.op]} {_show(node.value, node.attr)}"


_NEGATED_OPS = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "=": "≠", "!=": "="}


def _describe_not(node: Node) -> str:
    if isinstance(node, Not):
        return _describe(node.item)
    if isinstance(node, Uses):
        return _describe(Uses(node.technology, node.pos, not node.negate))
    if isinstance(node, InList):
        return _describe(InList(node.attr, node.values, not node.negate))
    if isinstance(node, Compare):
        return f"with {_name(node.attr)} {_NEGATED_OPS[node.op]} {_show(node.value, node.attr)}"
    if isinstance(node, Between):
        return f"with {_name(node.attr)} outside {_show(node.low, node.attr)}–{_show(node.high, node.attr)}"
    if isinstance(node, Event):
        return f"without a {node.event_type} event in the last {node.months} months"
    return f"not {_describe(node, nested=True)}"


def describe_filter(filter_: str | Node) -> str:
    """Plain-English phrase to follow 'Accounts …', e.g. 'using Snowflake and with industry in software'."""
    node = parse_filter(filter_) if isinstance(filter_, str) else filter_
    return _describe(node)
