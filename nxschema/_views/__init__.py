"""Reading files through definitions: typed, lazy views over the objects the binding names.

See docs/reading.md. ``nxschema.open(path)`` gives a :class:`~nxschema._views.file.NexusFile`;
its ``views("NXxas")`` are :class:`~nxschema._views.view.View` objects whose members are
:class:`~nxschema._views.field.Field` (datasets, read lazily) or nested views.
"""
