"""Which Area an LSOA belongs to: by the LSOA name's borough, else by the 2021 code's local
authority (the shipped Lambeth and Southwark geography: accounts/geography.py)."""

from accounts.geography import lsoa_authorities
from accounts.models import Area


class AreaLinker:
    """An LSOA's Area: by the name's borough ("Lambeth 002C" → Lambeth), which works for 2011
    and 2021 LSOAs alike, else by the 2021 code's local authority (accounts/data/)."""

    def __init__(self):
        self._by_name: dict[str, int] | None = None
        self._by_code: dict[str, int] = {}
        self._cache: dict[tuple[str, str], int | None] = {}

    def area_id(self, lsoa_code: str, lsoa_name: str) -> int | None:
        key = (lsoa_code, lsoa_name)
        if key not in self._cache:
            self._cache[key] = self._find(lsoa_code, lsoa_name)
        return self._cache[key]

    def _find(self, lsoa_code: str, lsoa_name: str) -> int | None:
        if self._by_name is None:
            self._load()
        borough = lsoa_name.rpartition(" ")[0].strip().lower()
        if borough in self._by_name:
            return self._by_name[borough]
        authority = lsoa_authorities().get(lsoa_code)
        if authority is None:
            return None
        code, name = authority
        return self._by_code.get(code) or self._by_name.get(name.lower())

    def _load(self) -> None:
        areas = list(Area.objects.values_list("pk", "name", "code"))
        self._by_name = {name.lower(): pk for pk, name, _ in areas}
        self._by_code = {code: pk for pk, _, code in areas}
