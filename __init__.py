"""beleidsbron: search Dutch care-policy documents and quote them with page citations.

    import beleidsbron
    searcher = beleidsbron.open()
    report = beleidsbron.build_index(["corpus/"])

`open` and `build_index` live in beleidsbron.api and load on first use, so that importing one stage
(`beleidsbron.ingest.pdf`, say) does not pull in the model and the whole search. (Not `ingest()`:
`beleidsbron.ingest` is the reading stage's package.)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("beleidsbron")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["open", "build_index", "__version__"]


def __getattr__(name: str):
    if name in ("open", "build_index"):
        from beleidsbron import api

        return getattr(api, name)
    raise AttributeError(f"module 'beleidsbron' has no attribute {name!r}")
