"""HDF5 access: the one link resolver with its external-link policy, over a backend.

Two backends implement :class:`nxschema._h5.backend.Backend`: ctypes calls into the HDF5 library
h5py loaded (fast), and h5py itself (reference and fallback).
"""
