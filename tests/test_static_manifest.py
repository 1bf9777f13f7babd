"""Production's static files: collectstatic with the manifest storage failed on the
source-map comments of the npm bundles, which name files never copied into static/build/.
The full production build (collectstatic with the manifest, gunicorn, DEBUG=false) runs
in CI as scripts/production-smoke; this is the quick check of its cause."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_bundle_names_a_source_map():
    built = ROOT / "static" / "build"
    offenders = [
        path.relative_to(built)
        for path in built.rglob("*")
        if path.suffix in {".js", ".css"} and b"sourceMappingURL" in path.read_bytes()
    ]
    assert offenders == []
