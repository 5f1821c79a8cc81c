"""The interface between HDF5 files and everything that reads them: the ``Backend`` protocol.

Two classes implement it: :class:`nxschema._h5.backend_c.CIO` (the C library h5py loaded,
called through ctypes: fast) and :class:`nxschema._h5.backend_h5py.H5pyIO` (h5py's low-level
API: portable, and the reference the ctypes one is checked against when it loads). The resolver
(:class:`nxschema._h5.access.Resolver`), the walker and the rules use only these methods, so a
third backend (another binding, a remote store) only has to provide them.

Objects are opaque to callers: whatever ``root``, ``open`` or ``wrap`` return is passed back in
as ``loc``, ``gid``, ``obj`` or ``did``. Names are bytes (HDF5's own), texts come back decoded.
Each backend closes an object when the last reference to it goes. No method reads a large
payload: ``read_value`` returns None past ``limit`` elements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import h5py


@runtime_checkable
class Backend(Protocol):
    """What a backend offers: objects, links, attributes and small dataset values."""

    #: a short name for messages and benchmarks ("ctypes", "h5py")
    name: str

    # --- objects --------------------------------------------------------------------------

    def root(self, f: h5py.File) -> Any:
        """The root group of an open file."""
        ...

    def wrap(self, oid: Any) -> Any:
        """The backend's object for an h5py ObjectID (a group the caller handed over)."""
        ...

    def open(self, loc: Any, name: bytes) -> Any:
        """The group or dataset ``name`` leads to from ``loc``, or None."""
        ...

    def is_group(self, obj: Any) -> bool:
        """True for a group, False for a dataset."""
        ...

    def identity(self, obj: Any) -> Any:
        """What tells one object from another whatever the path to it (file number and
        address): hard-link cycles are found by it."""
        ...

    # --- links ----------------------------------------------------------------------------

    def links(self, gid: Any) -> list[tuple[bytes, int]]:
        """(name, link type) of each link of a group, in name order."""
        ...

    def kind_by_name(self, loc: Any, name: bytes) -> str | None:
        """"group", "dataset" or "other" for what ``name`` leads to; None if nothing."""
        ...

    def file_number(self, loc: Any, name: bytes) -> int | None:
        """HDF5's number of the file holding what ``name`` leads to; None if nothing."""
        ...

    def link_type(self, loc: Any, name: bytes) -> int | None:
        """The type of link ``name`` (hard, soft, external, user), or None if there is none."""
        ...

    def soft_target(self, loc: Any, name: bytes) -> str:
        """The path a soft link points to."""
        ...

    def external_target(self, loc: Any, name: bytes) -> tuple[str, str]:
        """(file name, path) an external link points to, as written in the link."""
        ...

    def has_link(self, gid: Any, name: bytes) -> bool:
        """True if group ``gid`` has a link ``name`` (resolving or not)."""
        ...

    # --- attributes -----------------------------------------------------------------------

    def attr_names(self, obj: Any) -> list[str]:
        """The names of an object's attributes, in name order."""
        ...

    def has_attr(self, obj: Any, name: bytes) -> bool:
        """True if the object has attribute ``name``."""
        ...

    def read_attr(self, obj: Any, name: bytes) -> Any:
        """An attribute's value (strings decoded); raises ValueError for an odd type."""
        ...

    # --- datasets -------------------------------------------------------------------------

    def type_kind(self, did: Any) -> tuple[str, int]:
        """(numpy-like kind, size in bytes) of a dataset's type."""
        ...

    def shape(self, did: Any) -> tuple[int, ...] | None:
        """A dataset's shape; None for a null dataspace."""
        ...

    def raw_location(self, did: Any) -> tuple[str, int | None, bool]:
        """(file name, byte offset of the raw data or None if not stored contiguously in the
        file, whether it holds variable-length strings): what is checked before a read."""
        ...

    def read_value(self, did: Any, limit: int = ...) -> Any:
        """A dataset's value if it has at most ``limit`` elements, else None."""
        ...
