"""scripts/backup-db (the compose `backup` service's loop) keeps BACKUP_KEEP_DAYS of dumps.

Run offline with a stand-in pg_dump on PATH that writes a small file where it is told;
the real dump and its restore are checked against PostgreSQL by
scripts/backup-restore-check in CI.
"""

import os
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup-db"
DAY = 24 * 3600

FAKE_PG_DUMP = """#!/bin/sh
for arg in "$@"; do case "$arg" in --file=*) out="${arg#--file=}" ;; esac; done
printf 'PGDMP %s\\n' "$PGDATABASE" > "$out"
"""


def _run(tmp_path: Path, keep_days: str, *, fail: bool = False) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\nexit 1\n" if fail else FAKE_PG_DUMP, encoding="utf-8")
    fake.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_KEEP_DAYS": keep_days,
        "PGDATABASE": "ephedra",
    }
    return subprocess.run(  # noqa: S603 - our own script, fixed argv
        ["/bin/sh", str(SCRIPT), "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _aged(path: Path, days: float) -> Path:
    path.write_text("old dump", encoding="utf-8")
    then = time.time() - days * DAY
    os.utime(path, (then, then))
    return path


def test_a_dump_is_written_and_dumps_past_the_retention_are_deleted(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    expired = _aged(backups / "ephedra-20200101T023000Z.dump", days=3.1)
    kept = _aged(backups / "ephedra-20200103T023000Z.dump", days=2.9)
    unrelated = _aged(backups / "notes.txt", days=30)

    result = _run(tmp_path, keep_days="3")

    assert result.returncode == 0, result.stderr
    new = Path(result.stdout.strip())
    assert new.parent == backups
    assert new.name.startswith("ephedra-")
    assert new.read_text(encoding="utf-8") == "PGDMP ephedra\n"
    assert not expired.exists()
    assert kept.exists()
    assert unrelated.exists()  # only dumps are pruned
    assert not list(backups.glob(".*.partial"))


def test_a_failed_dump_leaves_no_backup_and_deletes_nothing(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    expired = _aged(backups / "ephedra-20200101T023000Z.dump", days=30)

    result = _run(tmp_path, keep_days="3", fail=True)

    assert result.returncode != 0
    assert expired.exists()  # no retention run after a failed dump: old backups stay
    assert list(backups.glob("*.dump")) == [expired]


@pytest.mark.parametrize("keep_days", ["0", "-1", "two"])
def test_retention_must_be_a_positive_number_of_days(tmp_path, keep_days):
    result = _run(tmp_path, keep_days=keep_days)
    assert result.returncode == 2
    assert "BACKUP_KEEP_DAYS" in result.stderr
