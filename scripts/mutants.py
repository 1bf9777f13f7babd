"""`make mutants`: mutmut 3 over the rule modules, with two adjustments for Ephedra.

1. mutmut 3 never mutates a decorated function (a decorator may have side effects when the
   function is copied). Most of our services are ``@transaction.atomic``, which has none:
   the trampoline keeps the decorator, so the copies behave as the original. Without this
   the services that matter most (cancel, close_patrol, record_course_step, breach, ...)
   would not be mutated at all.
2. ``make mutants MUTATE=accounts/services.py`` (a file or a folder) is turned into
   mutmut's mutant-name glob (``accounts.services.*``).

Usage: ``python scripts/mutants.py run [path-or-glob ...]``; other commands (results, show
NAME, browse) pass through to mutmut unchanged.
"""

from __future__ import annotations

import sys

import libcst as cst
from libcst.metadata import PositionProvider
from mutmut.__main__ import cli
from mutmut.mutation.file_mutation import MutationVisitor

_original_skip = MutationVisitor._skip_node_and_children


def _is_atomic(decorator: cst.BaseExpression) -> bool:
    """``@transaction.atomic`` or ``@atomic``, without arguments."""
    if isinstance(decorator, cst.Attribute):
        return decorator.attr.value == "atomic"
    return isinstance(decorator, cst.Name) and decorator.value == "atomic"


def _skip_node_and_children(self: MutationVisitor, node: cst.CSTNode) -> bool:
    if (
        isinstance(node, cst.FunctionDef)
        and node.decorators
        and all(_is_atomic(d.decorator) for d in node.decorators)
    ):
        position = self.get_metadata(PositionProvider, node, None)
        if position and position.start.line in self._ignored_node_lines:
            return _original_skip(self, node)  # "# pragma: no mutate block" still wins
        return _original_skip(self, node.with_changes(decorators=[]))
    return _original_skip(self, node)


MutationVisitor._skip_node_and_children = _skip_node_and_children


def as_mutant_glob(arg: str) -> str:
    """``patrols/services/`` -> ``patrols.services.*``; a glob or a name passes unchanged."""
    if "/" not in arg and not arg.endswith(".py"):
        return arg
    dotted = arg.rstrip("/").removesuffix(".py").replace("/", ".")
    return f"{dotted}.*"


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["run"]:
        args = ["run", *(a if a.startswith("-") else as_mutant_glob(a) for a in args[1:])]
    sys.exit(cli(args))
