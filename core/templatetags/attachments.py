"""`{% attachments_for object %}`: a row's photos and documents, and the upload form."""

from __future__ import annotations

from django import template

from core.attachments import detection, services
from core.ledger import REGISTRY
from core.scoping import can_edit

register = template.Library()

ACCEPT = ",".join([*(file_type.mime for file_type in detection.ACCEPTED), ".xlsx", ".docx"])


@register.inclusion_tag("core/_attachments.html", takes_context=True)
def attachments_for(context, row):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    ledger = REGISTRY.get(row._meta.label_lower)
    if ledger is None or user is None:
        return {"shown": False}
    attachments = list(services.attachments_of(row, user).select_related("uploaded_by"))
    return {
        "shown": True,
        "row": row,
        "ledger_label": ledger.label,
        "photos": [a for a in attachments if a.is_photo],
        "documents": [a for a in attachments if not a.is_photo],
        "count": len(attachments),
        "may_edit": can_edit(user, type(row)),
        "accept": ACCEPT,
        "max_bytes": services.max_bytes(),
        "max_files": services.max_files(),
    }
