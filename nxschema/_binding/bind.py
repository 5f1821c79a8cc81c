"""The binding step for one group: which member binds to which concept of one group concept.

A :class:`Binder` is made per (group in the file, group concept that applies to it). Members are
offered to it one at a time, in the file's order, and each binds to at most one concept: the
best fit (see :mod:`nxschema._binding.fit`). Where fits score alike, the tie is decided by what
the object holds (a group holding more of a concept's required members), then by need (a
concept still short of its ``minOccurs``); a tie left after that is reported in the
:class:`Fit` (``tied``), never chosen silently. Occurrence limits count bound objects
(``Binder.counts``).
"""

from __future__ import annotations

from collections.abc import Callable

from nxschema._binding.fit import ANY, EXACT, FIT_NAMES, MISFIT, PARTIAL, Fit


def _fits_kind(concept, is_group: bool, nx_class: str | None) -> bool:
    if not hasattr(concept, "nx_class"):  # a field or a link
        return concept.is_link or not is_group
    return is_group and nx_class is not None and concept.nx_class == nx_class


def held(concept, has: Callable[[str], bool]) -> int:
    """How many of a group concept's required named members the object holds."""
    named = getattr(concept, "named", None)
    if not named:
        return 0
    return sum(1 for name, spec in named.items() if spec.requirement == "required" and has(name))


_UNSEEN = object()
_MEMO = 4096  # fits remembered per plan (a root of 20000 entries would not repeat its names)


class Binder:
    """Binds the members of one group to the concepts of one group concept (``plan``)."""

    __slots__ = ("counts", "plan")

    def __init__(self, plan):
        self.plan = plan
        self.counts: dict[int, int] = {}  # id(concept) -> objects bound to it

    def candidates(self, name: str, is_group: bool, nx_class: str | None) -> list:
        """Every (score, fixed characters, concept) that ``name`` fits, best first."""
        return self._candidates(name, is_group, nx_class)

    def _candidates(self, name: str, is_group: bool, nx_class: str | None) -> list:
        plan = self.plan
        out = []
        spec = plan.named.get(name)
        if spec is not None:
            out.append((EXACT if _fits_kind(spec, is_group, nx_class) else MISFIT, len(name),
                        spec))
        if is_group:
            for choice, options in plan.choices:
                if choice == name:
                    fitting = [o for o in options if o.nx_class == nx_class]
                    out.append((EXACT, len(name), fitting[0]) if fitting else
                               (MISFIT, len(name), options[0]))
        for regex, fixed, spec in plan.partial:
            if regex.match(name) and _fits_kind(spec, is_group, nx_class):
                out.append((PARTIAL, fixed, spec))
        if is_group:
            for spec in plan.by_class.get(nx_class, ()) if nx_class else ():
                out.append((ANY, 0, spec))
            for spec in plan.any_fields:
                if spec.is_link:
                    out.append((ANY, 0, spec))
        else:
            for spec in plan.any_fields:
                out.append((ANY, 0, spec))
        out.sort(key=lambda c: (-c[0], -c[1]))
        return out

    def bind(self, name: str, is_group: bool, nx_class: str | None,
             has: Callable[[str], bool] | None = None, count: bool = True) -> Fit | None:
        """The concept ``name`` binds to, or None; counted unless ``count`` is False.

        ``has(member_name)`` tells whether the object (a group) holds a member, to decide ties
        between group concepts by content. A misfit (exact name, wrong kind or class) binds only
        where nothing fits, so that the walker can report the wrong class.
        """
        key = (name, is_group, nx_class)
        fits = self.plan.fits
        found = fits.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._fit(name, is_group, nx_class)
            if len(fits) < _MEMO:
                fits[key] = found
        if found is None:
            return None
        if isinstance(found, Fit):
            fit = found
        else:  # several fit alike: decided per object, by content and need
            how, top = found
            tied = self._decide(top, has)
            fit = Fit(tied[0], FIT_NAMES[how], how, tuple(tied[1:]))
        if count:
            concept = id(fit.concept)
            self.counts[concept] = self.counts.get(concept, 0) + 1
        return fit

    def _fit(self, name: str, is_group: bool, nx_class: str | None):
        """A Fit when one concept fits best, (score, [concepts]) when several do, or None."""
        spec = self.plan.named.get(name)
        if spec is not None and _fits_kind(spec, is_group, nx_class):
            return Fit(spec, "exact", EXACT)  # an exact fit is the best there is; names unique
        options = self.candidates(name, is_group, nx_class)
        if not options:
            return None
        best = options[0][:2]
        top = [c[2] for c in options if c[:2] == best]
        if len(top) == 1:
            return Fit(top[0], FIT_NAMES[best[0]], best[0])
        return best[0], top

    def _decide(self, top: list, has) -> list:
        if has is not None and hasattr(top[0], "named"):
            scores = [held(c, has) for c in top]
            top = [c for c, s in zip(top, scores) if s == max(scores)]
        if len(top) > 1:
            short = [c for c in top if self.counts.get(id(c), 0) < c.min_occurs]
            top = short or top
        if len(top) > 1:
            room = [c for c in top if c.max_occurs is None or
                    self.counts.get(id(c), 0) < c.max_occurs]
            top = room or top
        return top

    def count(self, concept) -> int:
        return self.counts.get(id(concept), 0)


__all__ = ["ANY", "EXACT", "MISFIT", "PARTIAL", "Binder", "Fit", "held"]
