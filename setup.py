"""Only the optional C accelerator lives here; everything else is in pyproject.toml.

`triage._lexfast` (the lexical model's per-ticket pass) is built when a C compiler and the Python headers
are present; without them the install goes on and the pure-Python path is used (same results, slower).
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = "triage/_lexfast.c"
# The build remembers which source it came from: triage/lexical.py ignores a build of other source (a stale
# .so left in the checkout after the C file changed and a rebuild failed or was skipped).
digest = hashlib.sha256((Path(__file__).parent / SOURCE).read_bytes()).hexdigest()[:16]

setup(
    ext_modules=[
        Extension(
            "triage._lexfast",
            [SOURCE],
            optional=True,
            define_macros=[("LEXFAST_SOURCE", f'"{digest}"')],
            # -ffp-contract=off: no fused multiply-add, so the sums round as Python's do (bit-identical
            # figures on CPUs and -march flags with FMA, where the compiler would otherwise fuse them).
            extra_compile_args=["-O2", "-ffp-contract=off"],
        ),
    ]
)
