"""Only the optional C accelerator lives here; everything else is in pyproject.toml.

`triage._lexfast` (the lexical model's per-ticket pass) is built when a C compiler and the Python headers
are present; without them the install goes on and the pure-Python path is used (same results, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("triage._lexfast", ["triage/_lexfast.c"], optional=True, extra_compile_args=["-O2"]),
    ]
)
