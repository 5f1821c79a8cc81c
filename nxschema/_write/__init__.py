"""Writing files and code from the model: the laid-out tree, HDF5 skeletons, generated writer
modules and their templates, and the one atomic-write helper.
"""
