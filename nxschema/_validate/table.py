"""The rule table: every validation rule is a small named function, registered by what it
applies to, that looks at one :class:`Frame` and yields :class:`Message` s.

What a rule applies to (``on``):

* ``("class", "NXdata")``: every group of that NX_class;
* ``("group", None)``: every group;
* ``("dataset", None)``: every dataset bound to a field concept (or to a base-class field the
  vocabulary opens);
* ``("attribute", None)``: every attribute a concept names.

A rule never builds a path or a Finding: it says what is wrong (a code, a text, where relative
to the object: ``""``, ``"@signal"`` or ``"/axis"``) and the walker adds the code's severity
rules, the path, the file and the definition source. Which function yields a code:
:func:`rule_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class _Empty(Mapping):
    """An empty, immutable, hashable mapping: the default of a Frame's mappings."""

    __slots__ = ()
    __hash__ = object.__hash__

    def __getitem__(self, key):
        raise KeyError(key)  # the Mapping protocol's own error, for a mapping that is empty

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


EMPTY = _Empty()


@dataclass(frozen=True, slots=True)
class Frame:
    """One object as a rule sees it: where it is, which concept it bound to, how it was reached.

    ``obj`` is the backend object (group or dataset), ``io`` the backend that reads it.
    ``concept`` is the compiled concept (a FieldPlan, GroupPlan or AttrPlan; None where only
    the group's class applies), ``definition`` and ``category`` those of the concept. ``how``
    is how the object was reached: the name fit (exact, partial, any), ``vocabulary`` for a base
    class, ``group`` for a group's own rules. ``attrs`` are a group's attributes, ``members``
    its children by name, ``siblings`` a dataset's neighbours by name; ``value`` a dataset's
    short value when a rule needs it (read once by the walker), ``instance`` the application of
    a definition whose symbol lengths the dimensions share.
    """

    obj: Any
    name: str
    path: str
    io: Any
    concept: Any = None
    definition: str = ""
    category: str = ""
    how: str = ""
    attrs: Any = EMPTY
    members: Any = EMPTY
    siblings: Any = EMPTY
    value: Any = None
    instance: Any = None
    state: Any = None  # per-entry state shared by the rules of one entry (sequence indices)


@dataclass(frozen=True, slots=True)
class Message:
    """What a rule found. ``at``: ``""`` the object, ``"@name"`` one of its attributes,
    ``"/name"`` a member. ``advice``: milder by one step where a base class is the source
    (base classes are a vocabulary, not rules). ``sourced``: the finding names the concept's
    definition and source line. ``final``: the object's other rules are skipped (a wrong type
    makes its value checks meaningless)."""

    code: str
    text: str
    severity: str
    at: str = ""
    advice: bool = False
    sourced: bool = True
    final: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    fn: Callable[[Frame], Iterator[Message]]
    on: tuple
    codes: tuple[str, ...] = field(default=())
    # What makes the rule run: for dataset rules a concept keyword (see dataset_rules.applies),
    # for group rules an attribute the group must carry.
    needs: str = ""


_RULES: dict[tuple, tuple[Rule, ...]] = {}
_BY_CODE: dict[str, Rule] = {}


def rule(on: tuple, *, codes: tuple[str, ...], needs: str = ""):
    """Register the decorated generator as a rule for ``on``, yielding ``codes``."""
    def register(fn):
        entry = Rule(fn.__name__, fn, on, tuple(codes), needs)
        _RULES[on] = _RULES.get(on, ()) + (entry,)
        for code in codes:
            _BY_CODE.setdefault(code, entry)
        return fn
    return register


def rules_for(on: tuple) -> tuple[Rule, ...]:
    """The rules registered for ``on``, in registration order."""
    return _RULES.get(on, ())


def rule_of(code: str) -> str | None:
    """``module.function`` of the rule that yields ``code``, or None (a walker finding).
    The rule modules register themselves when imported (the walker imports them)."""
    found = _BY_CODE.get(code)
    return f"{found.fn.__module__}.{found.name}" if found else None


def where(path: str, at: str) -> str:
    """The path a message points at: the object, one of its attributes, or a member."""
    if not at:
        return path
    if at.startswith("@"):
        return path + at
    return path.rstrip("/") + at
