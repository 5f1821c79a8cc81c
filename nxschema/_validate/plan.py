"""Kept for imports written before the binding step had its own package: the compiled concepts
(plans) now live in :mod:`nxschema._binding.concepts`."""

from nxschema._binding.concepts import (  # noqa: F401
    AttrPlan,
    FieldPlan,
    GroupPlan,
    Plans,
    compile_plan,
    planned_definition,
    requirement_of,
)
