"""Reference inputs the tests carry are verbatim copies of shared/ (checked where shared/ is beside the repo)."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
COPIES = [(ROOT / "contracts/werkbon/outsmart-openapi8.openapi3.json", SHARED / "specs/werkbonapp/outsmart-openapi8.openapi3.json")]
COPIES += [(ROOT / "contracts/cloudplan/examples" / f.name, f) for f in sorted((SHARED / "examples/cloudplan").glob("*"))]


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ is not beside the repository")
@pytest.mark.parametrize("copy,original", COPIES, ids=lambda p: p.name if isinstance(p, Path) else str(p))
def test_vendored_copy_is_identical(copy, original):
    assert copy.read_bytes() == original.read_bytes()
