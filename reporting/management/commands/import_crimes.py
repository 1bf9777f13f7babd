"""Import data.police.uk street-level crime and outcomes files, and local weekly extracts.

Every file is tried, even after one is refused: files are independent (each force-month
is replaced on its own), so one bad download should not hold up the others. Each refused
file is reported on stderr as "<file>: line N: reason", and the command then exits with
status 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.importer import ImportRefused, import_file, plural_rows


class Command(BaseCommand):
    help = (
        "Import police.uk street-level crime or outcomes CSV files, or local weekly extracts. "
        "A file replaces the force-months it holds. Every file is tried; the command exits "
        "non-zero if any was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="CSV files to import")

    def handle(self, *args, files: list[str], **options):
        refused = sum(not self._import(path) for path in files)
        if refused:
            raise CommandError(
                f"{refused} of {len(files)} files refused; nothing from them was stored"
            )

    def _import(self, path: str) -> bool:
        try:
            result = import_file(path, Path(path).name)
        except ImportRefused as refusal:
            self.stderr.write(f"{path}: line {refusal.line}: {refusal.reason}")
            return False
        except OSError as error:
            self.stderr.write(f"{path}: cannot be read: {error.strerror}")
            return False
        self.stdout.write(f"{path}: {plural_rows(result.rows)} imported ({result.kind})")
        for part in result.parts:
            self.stdout.write(f"  {part.describe()}")
        return True
