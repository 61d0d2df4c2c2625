"""Claims: narrative statements of quantities the statutory tables hold (issue 3)."""
from .extract import Claim, extract_claims, units  # noqa: F401
from .resolve import cell_value  # noqa: F401
