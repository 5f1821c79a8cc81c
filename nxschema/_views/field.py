"""A field seen through a definition: a dataset, read only when asked, whatever link led there.

``np.asarray(field)`` reads it whole; ``field[10:20]`` reads only that slice (h5py hyperslab
selection); ``field.units`` and ``field.attrs`` come from the real object; ``field.target`` is
the (file, path) where the data really lives, after soft and external links. A field whose
concept says ``refers_to: files`` lists files: ``field.paths()`` gives them as ``Path`` objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
from h5py import h5s

from nxschema._h5.listed import listed_paths
from nxschema.errors import ArgumentTypeError

if TYPE_CHECKING:
    import h5py

T = TypeVar("T", bound=np.generic)


def decode(value: Any) -> Any:
    """Text as ``str`` (HDF5 hands out bytes); arrays of text as lists of ``str``."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SO":
        if value.dtype.kind == "S" or all(isinstance(v, (bytes, str)) for v in value.flat):
            return np.array([decode(v) for v in value.flat], dtype=object).reshape(value.shape)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read_whole(did: Any) -> np.ndarray | None:
    """A plain numeric dataset read whole straight into an array of its own type (one H5Dread,
    what h5py's ``dataset[()]`` ends in, without its selection machinery); None for any other
    kind of dataset, which h5py reads."""
    dtype = did.dtype
    if dtype.kind not in "iuf" or dtype.metadata or dtype.subdtype is not None:
        return None
    space = did.get_space()
    if space.get_simple_extent_type() not in (h5s.SIMPLE, h5s.SCALAR):
        return None
    out = np.empty(space.shape, dtype=dtype)
    if out.size:
        did.read(h5s.ALL, h5s.ALL, out)
    return out


class Field(Generic[T]):
    """One dataset bound to a concept. Generic in its element type for typed readers
    (``Field[np.floating]``); nothing is read until asked."""

    __slots__ = ("_ds", "_id", "_opener", "_where", "_target", "path", "concept", "_link",
                 "refers_to")

    def __init__(self, opener, where: tuple[str, str], path: str, concept: str, link: str,
                 target=None, refers_to: str | None = None):
        self._ds = None  # the h5py Dataset, made only when asked for (slices, attrs)
        self._id = None  # its h5py DatasetID: enough to read it whole
        self._opener = opener  # (file, path) -> h5py DatasetID, called on first use
        self._where = where  # (file, path) that opens it (HDF5 follows the rest)
        self._target = target  # (file, path) where it really is, or a callable giving it
        self.path = path  # where the view reached it: /1.1/xas/energy
        self.concept = concept  # the concept it is bound to: NXxas@subentry:/(NXsubentry)/energy
        self._link = link
        self.refers_to = refers_to  # "files" when the concept says its values are file paths

    @property
    def _dsid(self) -> "h5py.h5d.DatasetID":
        if self._id is None:
            self._id = self._opener(*self._where)
        return self._id

    @property
    def _dataset(self) -> "h5py.Dataset":
        if self._ds is None:
            import h5py
            self._ds = h5py.Dataset(self._dsid)
        return self._ds

    @property
    def target(self) -> tuple[str, str]:
        """(file, path) where the data really lives, after soft and external links."""
        if callable(self._target):
            self._target = self._target()
        return self._target or self._where

    @property
    def link(self) -> str:
        """How it was reached: ``dataset`` (in place), ``hard`` (one object with several
        names), ``soft`` or ``external``."""
        if self._link == "hard":
            import h5py
            return "hard" if h5py.h5o.get_info(self._dsid).rc > 1 else "dataset"
        return self._link

    # -- reading ---------------------------------------------------------------------------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = _read_whole(self._dsid)
        if data is None:  # text, compound, enum, empty dataspace: h5py's own reading
            data = np.asarray(self._dataset[()])
        return data.astype(dtype) if dtype is not None else data

    def __getitem__(self, key: Any) -> Any:
        return self._dataset[key]

    def read(self) -> Any:
        """The whole value: an array, or a number or ``str`` for a scalar."""
        return decode(self._dataset[()])

    @property
    def value(self) -> Any:
        return self.read()

    def paths(self) -> list[Path]:
        """The files this field lists (its concept says ``refers_to: files``), as absolute
        paths: relative names are taken from the folder of the file that really holds the
        dataset (:attr:`target`), as the validator takes them. Nothing is opened or checked
        here; ``nxschema validate`` reports listed files that are missing.

        Raises:
            nxschema.errors.ArgumentTypeError: the concept does not say its values are files.
        """
        if self.refers_to != "files":
            raise ArgumentTypeError(f"{self.concept} does not list files (no refers_to: files)")
        return listed_paths(self._dataset[()], self.target[0])

    # -- describing --------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._dsid.shape or ())

    @property
    def dtype(self) -> np.dtype:
        return self._dsid.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a scalar field")
        return self.shape[0]

    @property
    def attrs(self) -> dict[str, Any]:
        """The real object's attributes, text decoded."""
        out = {}
        for name in self._dataset.attrs:
            try:
                out[name] = decode(self._dataset.attrs[name])
            except Exception:  # an attribute h5py cannot read: left out, not raised
                continue
        return out

    @property
    def units(self) -> str | None:
        try:
            value = self._dataset.attrs.get("units")
        except Exception:
            return None
        value = decode(value)
        return value if isinstance(value, str) else None

    @property
    def dataset(self) -> "h5py.Dataset":
        """The h5py dataset, for what a view does not offer."""
        return self._dataset

    def __repr__(self) -> str:
        file, path = self.target
        return (f"<Field {self.concept} at {self.path} shape={self.shape} dtype={self.dtype}"
                f" from {file}::{path} ({self.link})>")
