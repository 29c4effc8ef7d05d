"""Upload, serve and delete attachments. A row or file outside the user's scope answers 404.

Files are never served from a public URL: every request looks the attachment up through
`visible_to(user)` and checks that its row is still visible to the user.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from core.attachments import services
from core.attachments.models import Attachment
from core.ledger import REGISTRY
from core.scoping import can_edit

# Photos open in the browser; a PDF (which may carry scripts) and everything else download.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def _row_url(ledger, row) -> str:
    """Back to the page showing the row's attachments (a case action's is its case's page)."""
    if hasattr(row, "get_absolute_url"):
        return row.get_absolute_url() + "#attachments"
    return reverse(ledger.url_name("detail"), args=[row.pk]) + "#attachments"


def visible_attachment(user, pk):
    """The attachment and its row's ledger and row, if the user may see both; else 404."""
    attachment = get_object_or_404(
        Attachment.objects.visible_to(user).select_related("content_type"), pk=pk
    )
    model = attachment.content_type.model_class()
    ledger = REGISTRY.get(model._meta.label_lower) if model is not None else None
    if ledger is None:
        raise Http404
    row = get_object_or_404(model.objects.visible_to(user), pk=attachment.object_id)
    return attachment, ledger, row


class AttachmentUploadView(LoginRequiredMixin, View):
    """POST several files at once to a row: all are saved, or none with the reasons shown."""

    http_method_names = ["post"]

    def post(self, request, ledger, pk):
        ledger = REGISTRY.get(ledger)
        if ledger is None:
            raise Http404
        row = get_object_or_404(ledger.model.objects.visible_to(request.user), pk=pk)
        if not can_edit(request.user, ledger.model):
            raise PermissionDenied(_("Your role may not add or delete attachments."))
        try:
            made = services.attachments_add(
                row=row,
                uploads=request.FILES.getlist("files"),
                actor=request.user,
                caption=request.POST.get("caption", ""),
            )
        except ValidationError as error:
            if any(e.code == "refused" for e in error.error_list):
                messages.error(
                    request,
                    _(
                        "Nothing was saved: the files below cannot be accepted. "
                        "Remove them and upload again."
                    ),
                )
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext("%(count)d file attached.", "%(count)d files attached.", len(made))
                % {"count": len(made)},
            )
        return HttpResponseRedirect(_row_url(ledger, row))


class AttachmentFileView(LoginRequiredMixin, View):
    """The stored file (or its thumbnail), to users who may see the row; 404 for anyone else."""

    thumbnail = False

    def get(self, request, pk):
        attachment, _ledger, _row = visible_attachment(request.user, pk)
        if self.thumbnail:
            path, content_type = attachment.thumbnail_path, "image/jpeg"
            inline = True
        else:
            path, content_type = attachment.file_path, attachment.mime_type
            inline = attachment.mime_type in INLINE_TYPES
        if not path:
            raise Http404
        try:
            handle = services.open_stored(path)
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=not inline,
            filename=attachment.download_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True, max_age=600)
        return response


class AttachmentDeleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        attachment, ledger, row = visible_attachment(request.user, pk)
        if not can_edit(request.user, ledger.model):
            raise PermissionDenied(_("Your role may not add or delete attachments."))
        services.attachment_delete(attachment=attachment, actor=request.user)
        messages.success(request, _("Attachment %(name)s deleted.") % {"name": attachment})
        return HttpResponseRedirect(_row_url(ledger, row))
