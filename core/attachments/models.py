"""The Attachment model: a photo or document on any ledger row (附件)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from core.fields import county_reference, user_reference
from core.scoping import ScopedQuerySet, row_school_id, school_path


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class AttachmentQuerySet(ScopedQuerySet):
    def school_rows(self, user):
        """A school officer's attachments: those of the rows it sees (rows of its school)."""
        from core.ledger import all_ledgers

        rows = models.Q(pk__in=[])
        for ledger in all_ledgers():
            if school_path(ledger.model) is None:
                continue
            rows |= models.Q(
                content_type=ContentType.objects.get_for_model(ledger.model),
                object_id__in=ledger.model.objects.visible_to(user).values("pk"),
            )
        return self.filter(rows)


class Attachment(models.Model):
    """A file on a ledger row, stored under a generated name below MEDIA_ROOT.

    The county is copied from the row so `visible_to` works without knowing the row's model
    (a row shared by several counties, such as a screening round, gives each county's uploads
    that county); serving also re-checks that the row itself is still visible.
    """

    scope_field = "county"

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("ledger")
    )
    object_id = models.PositiveBigIntegerField(_("row"))
    row = GenericForeignKey("content_type", "object_id")
    county = county_reference(
        help_text=_(
            "The row's county; for a row shared by several counties, the uploader's county "
            "(empty when uploaded by the city)."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    original_name = models.CharField(
        _("file name"), max_length=200, help_text=_("As uploaded; for display and download only.")
    )
    file_path = models.CharField(_("stored file"), max_length=200, unique=True, editable=False)
    thumbnail_path = models.CharField(_("thumbnail"), max_length=200, blank=True, editable=False)
    mime_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = user_reference(_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name

    def scope_school_id(self):
        """A school officer may add or delete an attachment where it may write the row."""
        row = self.row
        return row_school_id(row) if row is not None else None

    @property
    def is_photo(self) -> bool:
        return self.kind == AttachmentKind.PHOTO

    @property
    def download_name(self) -> str:
        """The uploaded name with the extension of what the file really is."""
        stem = self.original_name.rsplit(".", 1)[0] if "." in self.original_name else ""
        extension = "." + self.file_path.rsplit(".", 1)[-1]
        return (stem or "attachment") + extension

    @property
    def icon(self) -> str:
        return {
            "application/pdf": "bi-file-earmark-pdf",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
                "bi-file-earmark-excel"
            ),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
                "bi-file-earmark-word"
            ),
        }.get(self.mime_type, "bi-file-earmark-image" if self.is_photo else "bi-file-earmark")

    def stored_paths(self) -> list[str]:
        return [path for path in (self.file_path, self.thumbnail_path) if path]


@receiver(post_delete, sender=Attachment, dispatch_uid="attachment-remove-files")
def _remove_files(sender, instance, using, **kwargs):
    """However the row goes (the service, a cascade), its files go once the deletion commits."""
    from core.attachments.services import remove_stored_files

    paths = instance.stored_paths()
    transaction.on_commit(lambda: remove_stored_files(paths), using=using)
