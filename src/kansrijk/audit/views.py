from datetime import datetime, time

from django.shortcuts import render
from django.utils import timezone
from rules.contrib.views import permission_required

from kansrijk import paging
from kansrijk.paging import keyset_page

from .forms import AuditFilterForm
from .models import AuditEvent


@permission_required("audit.view_auditevent", raise_exception=True)
def audit_list(request):
    """The audit trail, read-only, filtered; beheerders see their organisations' events."""
    events = AuditEvent.objects.visible_to(request.user).select_related("organisation")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["actor"]:
            events = events.filter(actor_display__icontains=data["actor"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["date_from"]:
            start = timezone.make_aware(datetime.combine(data["date_from"], time.min))
            events = events.filter(created_at__gte=start)
        if data["date_to"]:
            end = timezone.make_aware(datetime.combine(data["date_to"], time.max))
            events = events.filter(created_at__lte=end)
    # The trail only grows: keyset pages over (created_at, id), decision 0044.
    page = keyset_page(request, events, ("-created_at", "-id"), per_page=50)
    # A cursor or an old page number alone is not a filter to clear.
    paging_parameters = {paging.CURSOR_PARAMETER, paging.OLD_PAGE_PARAMETER}
    filtered = any(value for key, value in request.GET.items() if key not in paging_parameters)
    return render(
        request, "audit/audit_list.html", {"form": form, "page": page, "filtered": filtered}
    )
