"""People: possible duplicates, and a sergeant's decision on them."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance import audit

from ..models import DuplicateStatus, Person, PossibleDuplicate
from ..selectors import similar_people
from .lifecycle import ReferralRuleError

# --- People: possible duplicates ---------------------------------------------------------
# A woman known by a first name or a nickname is easily recorded twice. Possible
# duplicates are flagged for a sergeant; linking points the newer record at the older
# one and keeps both, so nothing recorded is ever merged away or deleted.


def flag_possible_duplicates(person: Person) -> list[PossibleDuplicate]:
    """Flag the other records in the person's area that may be the same woman.

    A match is the same working name (ignoring case and surrounding spaces), or the same
    first four letters and the same known age band. Records already linked to her, and
    pairs already flagged in either order (whatever was decided), are left alone.
    """
    linked = _linked_ids(person)
    candidates = [other for other in _possible_matches(person) if other.pk not in linked]
    flagged = _already_flagged(person, candidates)
    return [
        PossibleDuplicate.objects.create(
            person=person, other=other, reason=_duplicate_reason(person, other)
        )
        for other in candidates
        if other.pk not in flagged
    ]


def _normalised(name: str) -> str:
    return name.strip().lower()


def _possible_matches(person: Person) -> list[Person]:
    others = similar_people(person.area_id, person.working_name, person.age_band)
    return list(others.exclude(pk=person.pk))


def _linked_ids(person: Person) -> set[int]:
    root_id = person.same_as_id or person.pk
    linked = Person.objects.filter(Q(pk=root_id) | Q(same_as_id=root_id))
    return set(linked.values_list("pk", flat=True))


def _already_flagged(person: Person, candidates: list[Person]) -> set[int]:
    pairs = PossibleDuplicate.objects.filter(
        Q(person=person, other__in=candidates) | Q(other=person, person__in=candidates)
    ).values_list("person_id", "other_id")
    return {pk for pair in pairs for pk in pair} - {person.pk}


def _duplicate_reason(person: Person, other: Person) -> str:
    if _normalised(person.working_name) == _normalised(other.working_name):
        reason = f"Same working name '{person.working_name.strip()}' in {other.area}"
    else:
        reason = (
            f"Working names '{person.working_name.strip()}' and '{other.working_name.strip()}' "
            f"begin alike, both aged {person.get_age_band_display()}, in {other.area}"
        )
    max_length = PossibleDuplicate._meta.get_field("reason").max_length
    return reason if len(reason) <= max_length else reason[: max_length - 1] + "…"


@transaction.atomic
def decide_duplicate(flag: PossibleDuplicate, by, link: bool) -> PossibleDuplicate:
    """A sergeant's decision on a flag: the same woman (link the records) or not (dismiss).

    Linking sets the newer record's `same_as` to the older (by first seen, then key);
    records already linked to the newer one follow it, so every group stays one level
    deep and a timeline can gather it in one query.
    """
    flag = PossibleDuplicate.objects.select_for_update().get(pk=flag.pk)
    if flag.status != DuplicateStatus.OPEN:
        raise ReferralRuleError(
            f"This possible duplicate was already decided: {flag.get_status_display().lower()}."
        )
    if link:
        _link_records(flag.person_id, flag.other_id)
    flag.status = DuplicateStatus.LINKED if link else DuplicateStatus.DISMISSED
    flag.decided_by = by
    flag.decided_at = timezone.now()
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    return flag


def _link_records(one_id: int, another_id: int) -> None:
    # The records and their groups' roots are locked and read afresh, so two decisions
    # made at once cannot leave a group two levels deep.
    roots = {person.same_as_id or person.pk for person in _locked({one_id, another_id})}
    if len(roots) == 1:
        return  # already one group, through earlier links
    older, newer = sorted(_locked(roots), key=lambda p: (p.first_seen, p.pk))
    if older.same_as_id or newer.same_as_id:
        raise ReferralRuleError("These records were linked by someone else just now. Try again.")
    followers = Person.objects.filter(same_as=newer)
    keys = list(followers.values_list("uuid", flat=True))
    followers.update(same_as=older)  # sends no signals: logged here
    audit.changed_many(Person, keys, {"same_as": (newer.pk, older.pk)})
    newer.same_as = older
    newer.save(update_fields=["same_as"])
    # s.62 "combination": one row naming the record kept and, in its detail, the one
    # (and any followers) now read with it.
    joined = ", ".join(str(key) for key in [newer.uuid, *keys])
    audit.record("referrals.person.combined", older, detail=f"Linked with {joined}")


def _locked(pks: set[int]) -> list[Person]:
    return list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
