"""The pages of an agenda read from a document: the upload, the reading with its progress
bar, the review of the proposal and its confirmation (decision 0053).

Every form is a plain POST with a redirect back to the review, so the screen works
without JavaScript and with the keyboard alone; htmx only polls the progress bar. A draft
the user may not see answers 404, the same as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import register, services, tree
from .forms import (
    FactsForm,
    ItemForm,
    PassageForm,
    UploadForm,
    initial_values,
    too_large_message,
)
from .models import AgendaDraft, DraftStatus, ItemDecision

# Room for the form's other fields and the multipart boundaries around the document.
REQUEST_SLACK_BYTES = 1024 * 1024


def _visible_draft(request, pk: int) -> AgendaDraft:
    drafts = AgendaDraft.objects.visible_to(request.user).without_document()
    return get_object_or_404(drafts.select_related("owner", "agenda"), pk=pk)


def _require_start(user) -> None:
    if not user.has_perm("agenda.start_agenda"):
        raise PermissionDenied


# ------------------------------------------------------------------ the upload


class _LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams the document to a temporary file and stops the upload as soon as it is
    larger than the limit, whatever the request claimed its length to be."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > services.max_document_bytes():
            self.request.document_too_large = True
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """The size is checked before the body is read: a request that says it is larger
    than the limit is answered without reading it (so the CSRF check, which reads the
    body, runs in the inner view, Django's documented pattern for upload handlers)."""
    _require_start(request.user)
    if request.method == "POST" and _declared_length(request) > (
        services.max_document_bytes() + REQUEST_SLACK_BYTES
    ):
        form = UploadForm(user=request.user)
        form._errors = ErrorDict(file=form.error_class([too_large_message()]))
        return _upload_page(request, form, status=413)
    request.upload_handlers = [_LimitedUploadHandler(request)]
    return _upload(request)


@csrf_protect
def _upload(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if getattr(request, "document_too_large", False):
            form.is_valid()
            form._errors = ErrorDict(file=form.error_class([too_large_message()]))
            return _upload_page(request, form, status=413)
        if form.is_valid():
            data = form.cleaned_data
            if data["file"]:
                name, content = data["file"].name, data["file"].read()
            else:
                name, content = _("geplakte tekst.txt"), data["text"].encode("utf-8")
            draft = services.start_reading(
                actor=request.user, owner=data["owner"], name=name, content=content
            )
            return redirect(draft)
        return _upload_page(request, form, status=400)
    return _upload_page(request, UploadForm(user=request.user))


def _upload_page(request, form, status: int = 200):
    recent = (
        AgendaDraft.objects.visible_to(request.user)
        .without_document()
        # Open: still being read, or waiting for review. A failed reading showed its
        # reason on its own page right after the upload; it is not an open proposal.
        .filter(status__in=[DraftStatus.READING, DraftStatus.READY])
        .select_related("owner")[:5]
    )
    return render(
        request, "agenda_intake/upload.html", {"form": form, "recent": recent}, status=status
    )


# ------------------------------------------------------------------ reading and review


@require_GET
@login_required
def draft(request, pk: int):
    found = _visible_draft(request, pk)
    if found.status == DraftStatus.READY:
        return render(request, "agenda_intake/review.html", _review_context(found))
    return render(request, "agenda_intake/status.html", {"draft": found})


@require_GET
@login_required
def progress(request, pk: int):
    """The fragment the reading page polls; once the reading has ended the whole page is
    loaded again (the review, or the reason the document could not be read)."""
    found = _visible_draft(request, pk)
    if not found.is_reading:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = found.get_absolute_url()
        return response
    return render(request, "agenda_intake/_progress.html", {"draft": found})


def _review_context(found: AgendaDraft, **extra) -> dict:
    proposal, review = found.proposal, found.review
    living = [
        item for item in tree.items(proposal) if review.get(item["key"]) != ItemDecision.MERGED
    ]
    counts = {
        "accepted": sum(1 for item in living if review.get(item["key"]) == ItemDecision.ACCEPTED),
        "dropped": sum(1 for item in living if review.get(item["key"]) == ItemDecision.DROPPED),
    }
    counts["open"] = len(living) - counts["accepted"] - counts["dropped"]
    facts = proposal.get("agenda", {})
    context = {
        "draft": found,
        "nodes": tree.forest(proposal, review, _organisation_names(proposal)),
        "counts": counts,
        "unrecognised": list(enumerate(proposal.get("unrecognised", []))),
        "facts_form": FactsForm(
            initial={
                name: facts.get(name) for name in ("title", "kind", "period_start", "period_end")
            }
        ),
        "passage_form": PassageForm(items=living, auto_id="passage_%s"),
    }
    _with_choices(context["nodes"], proposal, review)
    context.update(extra)
    return context


def _organisation_names(proposal: dict) -> dict[str, str]:
    known = register.names(tree.organisation_references(proposal))
    return {reference: organisation.name for reference, organisation in known.items()}


def _with_choices(nodes, proposal: dict, review: dict) -> None:
    """Each node with what its "Verplaatsen" and "Samenvoegen" forms offer."""

    def named(item: dict) -> str:
        return f"{tree.KIND_LABELS[item['kind']]}: {tree.label(item)}"

    for node in nodes:
        node.parent_options = [
            (other["key"], named(other))
            for other in tree.parent_choices(proposal, node.item, review)
        ]
        node.merge_options = [
            (other["key"], named(other))
            for other in tree.merge_choices(proposal, node.item, review)
        ]
        node.required = tree.PARENT_KINDS[node.item["kind"]][1]
        _with_choices(node.children, proposal, review)


def _back(found: AgendaDraft, key: str | None = None):
    url = found.get_absolute_url()
    return redirect(f"{url}#item-{key}" if key else url)


def _refused(request, found: AgendaDraft, error: ValidationError, key: str | None = None):
    messages.error(request, " ".join(error.messages))
    return _back(found, key)


@require_POST
@login_required
def item_action(request, pk: int, key: str):
    """Accept, drop, move or merge one item (the button pressed names the action)."""
    found = _visible_draft(request, pk)
    action = request.POST.get("action", "")
    item = tree.by_key(found.proposal).get(key)
    if item is None:
        raise Http404
    name = tree.label(item)
    try:
        if action in (ItemDecision.ACCEPTED, ItemDecision.DROPPED):
            services.decide(found, key, action, actor=request.user)
            text = (
                _("‘%(item)s’ wordt overgenomen.")
                if action == ItemDecision.ACCEPTED
                else _("‘%(item)s’ en wat eronder hangt worden weggelaten.")
            )
        elif action == "move":
            services.move_item(found, key, request.POST.get("parent") or None, actor=request.user)
            text = _("‘%(item)s’ is verplaatst.")
        elif action == "merge":
            services.merge_item(found, key, request.POST.get("into", ""), actor=request.user)
            text = _("‘%(item)s’ is samengevoegd; de tekst staat nu bij het andere onderdeel.")
            key = request.POST.get("into", "")
        else:
            raise ValidationError(_("Kies wat er met dit onderdeel moet gebeuren."))
    except ValidationError as error:
        return _refused(request, found, error, key)
    messages.success(request, text % {"item": name})
    return _back(found, key)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int, key: str):
    found = _visible_draft(request, pk)
    if found.status != DraftStatus.READY:
        return redirect(found)
    item = tree.by_key(found.proposal).get(key)
    if item is None or found.review.get(key) == ItemDecision.MERGED:
        raise Http404
    form = ItemForm(
        request.POST or None, kind=item["kind"], initial=initial_values(item), owner=found.owner
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_item(found, key, form.values(), actor=request.user)
        except ValidationError as error:
            return _refused(request, found, error, key)
        messages.success(
            request,
            _("‘%(item)s’ is gewijzigd en wordt overgenomen.")
            % {"item": tree.label({**item, "fields": form.values()})},
        )
        return _back(found, key)
    context = {
        "draft": found,
        "item": item,
        "form": form,
        "kind": tree.KIND_LABELS[item["kind"]],
        "label": tree.label(item),
    }
    return render(
        request, "agenda_intake/item_edit.html", context, status=400 if form.errors else 200
    )


@require_POST
@login_required
def accept_open(request, pk: int):
    found = _visible_draft(request, pk)
    try:
        count = services.accept_open_items(found, actor=request.user)
    except ValidationError as error:
        return _refused(request, found, error)
    messages.success(request, _("%(count)s onderdelen worden overgenomen.") % {"count": count})
    return _back(found)


@require_POST
@login_required
def facts(request, pk: int):
    found = _visible_draft(request, pk)
    form = FactsForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "agenda_intake/review.html",
            _review_context(found, facts_form=form),
            status=400,
        )
    try:
        services.set_agenda_facts(found, form.cleaned_data, actor=request.user)
    except ValidationError as error:
        return _refused(request, found, error)
    messages.success(request, _("De gegevens van de agenda zijn opgeslagen."))
    return _back(found)


@require_POST
@login_required
def passage(request, pk: int, index: int):
    found = _visible_draft(request, pk)
    living = [
        item
        for item in tree.items(found.proposal)
        if found.review.get(item["key"]) != ItemDecision.MERGED
    ]
    form = PassageForm(request.POST, items=living)
    if not form.is_valid():
        messages.error(request, _("Kies de soort onderdeel en waar het onder hangt."))
        return _back(found)
    try:
        key = services.passage_to_item(
            found,
            index,
            form.cleaned_data["kind"],
            form.cleaned_data["parent"] or None,
            actor=request.user,
        )
    except ValidationError as error:
        return _refused(request, found, error)
    messages.success(request, _("Van de passage is een onderdeel gemaakt; het wordt overgenomen."))
    return _back(found, key)


@require_POST
@login_required
def confirm(request, pk: int):
    found = _visible_draft(request, pk)
    if found.status == DraftStatus.CONFIRMED and found.agenda is not None:
        messages.info(request, _("Dit voorstel is al overgenomen als conceptagenda."))
        return redirect("agenda:editor", slug=found.agenda.slug)
    try:
        agenda = services.confirm(found, actor=request.user)
    except tree.NotConfirmable as refused:
        return render(
            request,
            "agenda_intake/review.html",
            _review_context(found, problems=refused.problems),
            status=400,
        )
    except ValidationError as error:
        return _refused(request, found, error)
    messages.success(
        request,
        _("De conceptagenda ‘%(title)s’ is gemaakt uit het document. Werk hem hier verder bij.")
        % {"title": agenda.title},
    )
    return redirect("agenda:editor", slug=agenda.slug)


@require_POST
@login_required
def discard(request, pk: int):
    found = _visible_draft(request, pk)
    try:
        services.discard(found, actor=request.user)
    except ValidationError as error:
        return _refused(request, found, error)
    messages.success(request, _("Het voorstel is weggegooid; er is niets opgeslagen."))
    return redirect("agenda_intake:upload")


@require_GET
@login_required
def document(request, pk: int):
    """The document as uploaded: for those who see the draft, and once it became an
    agenda, for whoever may edit that agenda (its source, linked from its page)."""
    drafts = AgendaDraft.objects.select_related("agenda")
    found = drafts.filter(pk=pk).first()
    allowed = found is not None and (
        AgendaDraft.objects.visible_to(request.user).filter(pk=pk).exists()
        or (
            found.agenda is not None and request.user.has_perm("agenda.change_agenda", found.agenda)
        )
    )
    if not allowed or not found.size:  # a failed or discarded draft's is forgotten
        raise Http404
    response = HttpResponse(bytes(found.document), content_type=found.content_type)
    response["Content-Disposition"] = _attachment(found.original_name)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def document_url(found: AgendaDraft) -> str:
    return reverse("agenda_intake:document", args=[found.pk])
