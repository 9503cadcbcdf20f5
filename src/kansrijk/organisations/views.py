from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, render

from .models import Organisation, OrganisationKind


def get_visible_organisation_or_404(user, pk) -> Organisation:
    """One answer for 'not yours' and 'does not exist': 404."""
    return get_object_or_404(
        Organisation.objects.visible_to(user).select_related(
            "parent", "parent__parent", "municipality", "partnership"
        ),
        pk=pk,
    )


@login_required
def organisation_list(request):
    organisations = Organisation.objects.visible_to(request.user).select_related("municipality")
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("soort", "")
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(code__iexact=query))
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    page = Paginator(organisations.order_by("name", "pk"), 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "organisations/organisation_list.html",
        {"page": page, "query": query, "kind": kind, "kinds": OrganisationKind.choices},
    )


@login_required
def organisation_detail(request, pk):
    organisation = get_visible_organisation_or_404(request.user, pk)
    visible = Organisation.objects.visible_to(request.user)
    context = {
        "organisation": organisation,
        "served_regions": organisation.served_regions.order_by("name"),
        "children": visible.filter(parent=organisation).order_by("name"),
        "member_schools": visible.filter(partnership=organisation)
        .select_related("municipality")
        .order_by("name"),
        "member_school_totals": Organisation.objects.filter(partnership=organisation).aggregate(
            schools=Count("pk"), pupils=Sum("pupil_count")
        ),
        "board": organisation.parent,
    }
    return render(request, "organisations/organisation_detail.html", context)
