"""Police referral pages, person timeline, duplicates, notifications. (Being written.)"""

from django.http import Http404
from django.views import View


class _NotYet(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


ReferralListView = ReferralCreateView = ReferralDetailView = ReferralWithdrawView = _NotYet
ReferralMoveView = PersonTimelineView = DuplicateListView = DuplicateDecideView = _NotYet
NotificationListView = _NotYet
