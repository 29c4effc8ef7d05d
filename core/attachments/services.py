"""Adding and deleting attachments: every file checked by content, photos cleaned, all audited.

Rules implemented here:
- a file's type is what its content says (see detection); its name is kept for display only;
- files above ATTACHMENT_MAX_BYTES and images above ATTACHMENT_MAX_PIXELS are refused;
- photos are turned the right way up (EXIF Orientation) and re-encoded without EXIF, GPS, XMP
  or comments, so no location leaves the server; a 320-pixel JPEG thumbnail is stored beside;
- an upload of several files is all or nothing: if one is refused, none is saved;
- only a user who may edit, and who sees the row, may add or delete its attachments.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from core import audit
from core.attachments import detection
from core.attachments.detection import JPEG, WEBP, FileType, Refused
from core.attachments.models import Attachment, AttachmentKind
from core.ledger import REGISTRY
from core.models import AuditAction
from core.scoping import can_edit, ensure_in_scope, home_county_of

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = 320
JPEG_QUALITY = 85


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_PIXELS", 40_000_000))


def max_files() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_FILES", 20))


def max_unzipped_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024))


def row_visible_to(row, user) -> bool:
    return type(row).objects.visible_to(user).filter(pk=row.pk).exists()


def attachments_of(row, user):
    """The attachments of `row` that `user` may see (none if the row itself is not visible)."""
    if not row_visible_to(row, user):
        return Attachment.objects.none()
    return Attachment.objects.visible_to(user).filter(
        content_type=ContentType.objects.get_for_model(type(row)), object_id=row.pk
    )


def sanitize_name(name: str) -> str:
    """A display name: no directories, control characters or oversize; never used as a path."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot and len(extension) <= 9 else name[:200]
    return name or "attachment"


@dataclass
class _Prepared:
    original_name: str
    file_type: FileType
    content: bytes
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def _read(upload) -> bytes:
    limit = max_bytes()
    too_large = _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
    if (getattr(upload, "size", None) or 0) > limit:
        raise Refused(too_large)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise Refused(too_large)
    if not data:
        raise Refused(_("The file is empty."))
    return data


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for a JPEG thumbnail: transparent parts become white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _clean_image(data: bytes, file_type: FileType) -> _Prepared:
    """Decode, turn upright, and re-encode without metadata; plus a thumbnail."""
    unreadable = _("The image could not be read; it may be damaged.")
    too_many = _("The image has more than %(limit)s million pixels.") % {
        "limit": f"{max_pixels() / 1_000_000:g}"
    }
    try:
        with Image.open(io.BytesIO(data), formats=[file_type.pillow_format]) as opened:
            if opened.format not in {file_type.pillow_format, "MPO"}:
                raise Refused(detection.NOT_ACCEPTED)
            # Checked on the header, before any pixel is decoded.
            if opened.width * opened.height > max_pixels():
                raise Refused(too_many)
            opened.load()
            icc_profile = opened.info.get("icc_profile")
            try:
                image = ImageOps.exif_transpose(opened)
            except Exception:  # a broken EXIF block: keep the pixels as they are
                logger.warning("attachment: unusable EXIF orientation ignored", exc_info=True)
                image = opened.copy()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused(too_many) from error
    except Exception as error:  # Pillow raises many kinds on corrupt input
        raise Refused(unreadable) from error

    mode = image.mode
    # Drop every piece of metadata (EXIF with GPS, XMP, comments, text chunks); keep only what
    # the pixels need: palette transparency.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    if file_type is JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif file_type is WEBP and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    options = {}
    if icc_profile and image.mode == mode:  # a colour profile only fits its own mode
        options["icc_profile"] = icc_profile
    if file_type is JPEG:
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif file_type is WEBP:
        options.update(quality=JPEG_QUALITY)
    out = io.BytesIO()
    image.save(out, format=file_type.pillow_format, **options)

    thumbnail = _flatten(image)
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    thumb_out = io.BytesIO()
    thumbnail.save(thumb_out, format="JPEG", quality=80, optimize=True)
    return _Prepared(
        original_name="",
        file_type=file_type,
        content=out.getvalue(),
        thumbnail=thumb_out.getvalue(),
        width=image.width,
        height=image.height,
    )


def _prepare(upload) -> _Prepared:
    data = _read(upload)
    file_type = detection.detect(data, max_unzipped_bytes=max_unzipped_bytes())
    if file_type.is_image:
        prepared = _clean_image(data, file_type)
    else:
        prepared = _Prepared(original_name="", file_type=file_type, content=data)
    prepared.original_name = sanitize_name(getattr(upload, "name", ""))
    return prepared


def _own_county_field(row) -> str | None:
    """The attribute holding the row's county id; None for a row shared by several counties."""
    field = getattr(row, "scope_field", "county") + "_id"
    return field if hasattr(row, field) else None


def _county_for(row, actor):
    """The county an attachment belongs to: its row's; on a shared row, the uploader's."""
    field = _own_county_field(row)
    return getattr(row, field) if field else home_county_of(actor)


def _check_actor(row, actor) -> None:
    if not can_edit(actor, type(row)):
        raise PermissionDenied(_("Your role may not add or delete attachments."))
    if not row_visible_to(row, actor):
        raise PermissionDenied(_("This row belongs to a county outside your scope."))


def attachments_add(*, row, uploads, actor, caption: str = "") -> list[Attachment]:
    """Attach `uploads` to `row`: all of them, or — if any is refused — none.

    Raises ValidationError listing each refused file with its reason, and PermissionDenied if
    the actor may not edit or cannot see the row.
    """
    if row._meta.label_lower not in REGISTRY:  # served only through its ledger's scope
        raise ValueError(f"{row._meta.label_lower} is not a registered ledger")
    _check_actor(row, actor)
    uploads = list(uploads)
    if not uploads:
        raise ValidationError(_("Choose at least one file."), code="empty")
    if len(uploads) > max_files():
        raise ValidationError(
            _("At most %(count)s files can be uploaded at once.") % {"count": max_files()},
            code="too_many",
        )
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(_prepare(upload))
        except Refused as refused:
            errors.append(
                ValidationError(
                    _("%(name)s: %(reason)s")
                    % {
                        "name": sanitize_name(getattr(upload, "name", "")),
                        "reason": refused.reason,
                    },
                    code="refused",
                )
            )
    if errors:
        raise ValidationError(errors)

    content_type = ContentType.objects.get_for_model(type(row))
    folder = timezone.now().strftime("attachments/%Y/%m")
    county_id = _county_for(row, actor)
    written: list[str] = []
    try:
        with transaction.atomic():
            made = []
            for item in prepared:
                stem = f"{folder}/{uuid.uuid4().hex}"
                file_path = _store(f"{stem}{item.file_type.extension}", item.content, written)
                thumbnail_path = (
                    _store(f"{stem}.thumb.jpg", item.thumbnail, written) if item.thumbnail else ""
                )
                attachment = Attachment.objects.create(
                    content_type=content_type,
                    object_id=row.pk,
                    county_id=county_id,
                    kind=AttachmentKind.PHOTO
                    if item.file_type.is_image
                    else AttachmentKind.DOCUMENT,
                    original_name=item.original_name,
                    file_path=file_path,
                    thumbnail_path=thumbnail_path,
                    mime_type=item.file_type.mime,
                    size=len(item.content),
                    sha256=hashlib.sha256(item.content).hexdigest(),
                    width=item.width,
                    height=item.height,
                    caption=caption.strip()[:200],
                    uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                ensure_in_scope(actor, attachment)
                audit.record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=row,
                    changes={"attachments": [None, item.original_name]},
                )
                made.append(attachment)
    except BaseException:
        remove_stored_files(written)
        raise
    return made


def attachment_add(*, row, upload, actor, caption: str = "") -> Attachment:
    """Attach one file to `row` (see attachments_add)."""
    return attachments_add(row=row, uploads=[upload], actor=actor, caption=caption)[0]


def attachment_delete(*, attachment: Attachment, actor) -> None:
    """Delete an attachment and, once committed, its files; recorded in the row's history."""
    row = attachment.row
    if row is None:
        raise PermissionDenied(_("This row belongs to a county outside your scope."))
    _check_actor(row, actor)
    with transaction.atomic():
        ensure_in_scope(actor, attachment)
        attachment.delete()  # the files go on commit (see models._remove_files)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes={"attachments": [attachment.original_name, None]},
        )


def attachments_follow_row(row) -> int:
    """Give the row's attachments the row's current county (after the row moved county).

    Attachments copy their row's county so they can be scoped without knowing the row's model;
    whoever changes a row's county calls this in the same transaction. Returns rows changed.
    """
    field = _own_county_field(row)
    if field is None:
        return 0  # a shared row: each attachment keeps its uploader's county
    county_id = getattr(row, field)
    return (
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(type(row)), object_id=row.pk
        )
        .exclude(county_id=county_id)
        .update(county_id=county_id)
    )


def _store(name: str, content: bytes, written: list[str]) -> str:
    stored = default_storage.save(name, ContentFile(content))
    written.append(stored)
    return stored


def remove_stored_files(paths) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:
            logger.warning("attachment: could not remove %s", path, exc_info=True)


def open_stored(path: str):
    return default_storage.open(path, "rb")
