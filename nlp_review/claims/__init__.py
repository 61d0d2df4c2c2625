"""Claims: narrative statements of quantities the statutory tables hold (issue 3)."""
from .extract import Claim, extract_claims, units  # noqa: F401
from .resolve import cell_value  # noqa: F401


def claims_doc(path):
    """Load a file and run the pipeline up to and including the claims component."""
    from ..ingest import load_path
    from ..pipeline import PIPELINE, Options, _resolve

    doc, options = load_path(path), Options()
    for name, fn in PIPELINE:
        _resolve(fn)(doc, options)
        if name == "claims":
            break
    return doc
