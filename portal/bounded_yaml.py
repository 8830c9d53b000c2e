"""YAML composed within bounds, for every file a person or a program outside writes.

PyYAML composes recursively: '[[[[…' a few thousand deep raised RecursionError out of the
parser, which no YAMLError handler catches, and took the whole catalogue down with it. Aliases
would let a small file stand for a huge tree. Every reader of YAML from outside goes through
`compose`, which refuses both with a YAMLError that marks the line.
"""

import yaml

DEPTH = 16
NODES = 20_000


class TooComplex(yaml.MarkedYAMLError):
    """YAML beyond what any real file needs; reading it further would only cost."""

    def __init__(self, mark, problem: str):
        super().__init__(problem=problem, problem_mark=mark)


class _Bounds:
    """Refuses anchors and aliases, and stops at a depth and a node count."""

    depth_limit = DEPTH
    node_limit = NODES

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise TooComplex(
                event.start_mark,
                "anchors and aliases (& and *) are not allowed: write each value out",
            )
        self._nodes = getattr(self, "_nodes", 0) + 1
        if self._nodes > self.node_limit:
            raise TooComplex(event.start_mark, f"more than {self.node_limit:,} values")
        depth = getattr(self, "_depth", 0)
        if depth >= self.depth_limit:
            raise TooComplex(
                event.start_mark, f"values nested more than {self.depth_limit} levels deep"
            )
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth


def compose(
    text: str, *, depth: int = DEPTH, nodes: int = NODES, plain_strings: bool = False
) -> yaml.Node | None:
    """Compose YAML text into its node tree (lines kept), refusing aliases, more than `depth`
    levels and more than `nodes` values with TooComplex; scalars stay strings when
    `plain_strings` (BaseLoader) and are resolved as YAML types otherwise (SafeLoader)."""
    base = yaml.BaseLoader if plain_strings else yaml.SafeLoader
    loader = type("BoundedLoader", (_Bounds, base), {"depth_limit": depth, "node_limit": nodes})
    return yaml.compose(text, Loader=loader)
