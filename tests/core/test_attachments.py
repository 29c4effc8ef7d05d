"""Attachments: checked by content, photos cleaned and upright, all-or-nothing, served in scope."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from core import audit
from core.attachments import detection, services
from core.attachments.models import Attachment, AttachmentKind
from core.ledger import all_ledgers
from tests.factories import StudentFactory
from tests.scoping import load_all

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 274


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- files to upload --------------------------------------------------------------------------


def photo_with_gps(size=(40, 20)) -> bytes:
    """A JPEG as a phone writes it: sideways pixels, Orientation=6, GPS, XMP and a comment.

    The left half is red and the right half blue, so once turned upright red is on top.
    """
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (44.0, 34.0, 12.0), 3: "E", 4: (129.0, 36.0, 7.0)})
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>44,34N</exif:GPSLatitude>'
        b"</x:xmpmeta>",
        comment=b"behind the school gate",
    )
    return out.getvalue()


def image_bytes(fmt: str, size=(60, 40), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 30) if mode == "RGB" else (10, 120, 30, 128)).save(out, fmt)
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["学校", "受损教室"])
    book.active.append(["长汀镇中心小学", 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxml'
            b'formats.org/package/2006/content-types"/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def upload_url(row) -> str:
    return reverse("attachment-upload", args=[row._meta.label_lower, row.pk])


def fetch(client, url):
    """GET a served file: the response, with its whole body read and the file closed."""
    response = client.get(url)
    if response.streaming:
        # Reading to the end closes the file (the test client's wrapper closes the response).
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


# --- photos: cleaned, upright, stored under a generated name ------------------------------------


def test_photo_with_gps_comes_back_without_it_and_upright(county_client, school, media):
    original = photo_with_gps()
    response = county_client.post(
        upload_url(school),
        {"files": upload("IMG_20250701_gate.jpg", original, "image/jpeg"), "caption": "校门"},
    )
    assert response.status_code == 302
    assert response["Location"] == school.get_absolute_url() + "#attachments"
    attachment = Attachment.objects.get()
    assert attachment.kind == AttachmentKind.PHOTO
    assert attachment.original_name == "IMG_20250701_gate.jpg"
    assert attachment.caption == "校门"
    assert attachment.county_id == school.county_id

    # Stored below MEDIA_ROOT under a generated name, never the user's.
    stored = media / attachment.file_path
    assert stored.is_file() and stored.resolve().is_relative_to(media.resolve())
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", attachment.file_path)
    assert "IMG_20250701" not in attachment.file_path

    served = fetch(county_client, reverse("attachment-file", args=[attachment.pk]))
    assert served.status_code == 200
    content = served.body
    assert content == stored.read_bytes()
    for leaked in (b"Exif\x00\x00", b"GPSLatitude", b"behind the school gate", b"PhoneMaker"):
        assert leaked not in content
    cleaned = Image.open(io.BytesIO(content))
    exif = cleaned.getexif()
    assert GPS_IFD not in exif and ORIENTATION not in exif and not exif.get_ifd(GPS_IFD)
    assert "xmp" not in cleaned.info and "comment" not in cleaned.info

    # Right way up: the 40×20 sideways picture is 20×40, red (its left edge) now on top.
    assert cleaned.size == (20, 40) == (attachment.width, attachment.height)
    top, bottom = cleaned.convert("RGB").getpixel((10, 5)), cleaned.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)


def test_thumbnail_is_stored_and_served(county_client, school, media):
    big = image_bytes("PNG", size=(1200, 800))
    county_client.post(upload_url(school), {"files": upload("plan.png", big)})
    attachment = Attachment.objects.get()
    with Image.open(media / attachment.thumbnail_path) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    response = fetch(county_client, reverse("attachment-thumb", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"

    page = county_client.get(reverse("school-detail", args=[school.pk])).content.decode()
    assert f'src="{reverse("attachment-thumb", args=[attachment.pk])}"' in page
    assert 'id="attachment-form"' in page and "js/attachments.js" in page
    assert "<script>" not in page  # the preview runs from a static file (CSP)


# --- type checked by content ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind", "mime", "extension"),
    [
        ("scan.jpg", lambda: image_bytes("PNG"), "photo", "image/png", ".png"),
        ("photo.webp", lambda: image_bytes("WEBP", mode="RGBA"), "photo", "image/webp", ".webp"),
        ("photo", lambda: image_bytes("JPEG"), "photo", "image/jpeg", ".jpg"),
        ("验收报告.pdf", pdf_bytes, "document", "application/pdf", ".pdf"),
        ("受损情况.xlsx", xlsx_bytes, "document", detection.XLSX.mime, ".xlsx"),
        ("整改方案.docx", docx_bytes, "document", detection.DOCX.mime, ".docx"),
        ("整改方案.pdf", docx_bytes, "document", detection.DOCX.mime, ".docx"),
    ],
)
def test_accepted_types_are_known_by_content(
    county_client, school, media, name, make, kind, mime, extension
):
    response = county_client.post(upload_url(school), {"files": upload(name, make())})
    assert response.status_code == 302, messages_of(response)
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.mime_type) == (kind, mime)
    assert attachment.file_path.endswith(extension)
    assert (media / attachment.file_path).is_file()
    assert bool(attachment.thumbnail_path) == (kind == "photo")

    served = fetch(county_client, reverse("attachment-file", args=[attachment.pk]))
    assert served["Content-Type"] == mime
    assert served["X-Content-Type-Options"] == "nosniff"
    disposition = served["Content-Disposition"]
    # Photos open in the browser; documents, PDFs included (they may carry scripts), download.
    assert disposition.startswith("inline" if kind == "photo" else "attachment")
    assert extension in disposition  # download name carries the real type's extension
    if kind == "document":
        assert served.body == (media / attachment.file_path).read_bytes()
        thumb = fetch(county_client, reverse("attachment-thumb", args=[attachment.pk]))
        assert thumb.status_code == 404


@pytest.mark.parametrize("name", ["photo.jpg", "report.xlsx", "scan.pdf", "page.html"])
def test_renamed_html_is_refused_and_nothing_written(county_client, school, media, name):
    response = county_client.post(upload_url(school), {"files": upload(name, HTML, "image/jpeg")})
    assert response.status_code == 302
    shown = messages_of(response)
    assert any(name in text and str(detection.NOT_ACCEPTED) in text for text in shown), shown
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert not audit.history(school).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("book.xlsx", zip_bytes({"xl/workbook.xml": b"<workbook/>"})),  # no [Content_Types].xml
        (
            "macro.xlsx",
            zip_bytes(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/vbaProject.bin": b"\x00" * 10,
                }
            ),
        ),
        ("plain.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "a.txt": b"x"})),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10),
        ("empty.pdf", b""),
    ],
)
def test_other_contents_are_refused(county_client, school, media, name, content):
    response = county_client.post(upload_url(school), {"files": upload(name, content)})
    assert response.status_code == 302
    assert any(name in text for text in messages_of(response))
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_zip_that_unpacks_to_an_absurd_size_is_refused(county_client, school, media, settings):
    settings.ATTACHMENT_MAX_UNZIPPED_BYTES = 1_000_000
    bomb = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * 2_000_000,
        }
    )
    assert len(bomb) < 100_000
    county_client.post(upload_url(school), {"files": upload("big.xlsx", bomb)})
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_one_bad_file_in_a_batch_saves_none(county_client, school, media):
    files = [upload("a.jpg", photo_with_gps()), upload("b.jpg", HTML), upload("c.pdf", pdf_bytes())]
    response = county_client.post(upload_url(school), {"files": files})
    shown = messages_of(response)
    assert any("b.jpg" in text for text in shown)
    assert not any("a.jpg" in text or "c.pdf" in text for text in shown)
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_several_files_at_once(county_client, school, media):
    files = [
        upload("1.jpg", photo_with_gps()),
        upload("2.png", image_bytes("PNG")),
        upload("3.pdf", pdf_bytes()),
        upload("4.xlsx", xlsx_bytes()),
    ]
    response = county_client.post(upload_url(school), {"files": files})
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "1.jpg",
        "2.png",
        "3.pdf",
        "4.xlsx",
    ]
    assert len(stored_files(media)) == 4 + 2  # two photos, each with a thumbnail
    page = county_client.get(reverse("school-detail", args=[school.pk])).content.decode()
    for attachment in Attachment.objects.all():
        assert reverse("attachment-file", args=[attachment.pk]) in page


def test_no_file_and_too_many_files(county_client, school, settings):
    response = county_client.post(upload_url(school), {"caption": "x"})
    assert response.status_code == 302 and messages_of(response)
    settings.ATTACHMENT_MAX_FILES = 2
    files = [upload(f"{n}.pdf", pdf_bytes()) for n in range(3)]
    response = county_client.post(upload_url(school), {"files": files})
    assert messages_of(response) and not Attachment.objects.exists()


# --- limits ------------------------------------------------------------------------------------


def test_too_large_file_is_refused(county_client, school, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    content = pdf_bytes() + b"%" * 2000
    response = county_client.post(upload_url(school), {"files": upload("big.pdf", content)})
    assert any("big.pdf" in text for text in messages_of(response))
    assert not Attachment.objects.exists() and stored_files(media) == []
    settings.ATTACHMENT_MAX_BYTES = 10_000
    county_client.post(upload_url(school), {"files": upload("big.pdf", content)})
    assert Attachment.objects.count() == 1


def test_too_many_pixels_is_refused(county_client, school, media, settings):
    settings.ATTACHMENT_MAX_PIXELS = 10_000
    response = county_client.post(
        upload_url(school), {"files": upload("wide.png", image_bytes("PNG", size=(200, 100)))}
    )
    assert any("wide.png" in text for text in messages_of(response))
    assert not Attachment.objects.exists() and stored_files(media) == []


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb's opening)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "size",
    [
        (7_000, 7_000),  # 49 million: over the default limit of 40 million
        (30_000, 30_000),  # far over Pillow's own limit too (DecompressionBombError)
    ],
)
def test_decompression_bomb_is_refused_on_its_header(county_user, school, media, size):
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            row=school, upload=upload("bomb.png", png_header_only(*size)), actor=county_user
        )
    assert "bomb.png" in refused.value.messages[0]
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_file_name_is_only_a_label(county_user, school, media):
    attachment = services.attachment_add(
        row=school, upload=upload("../../etc/passwd\x00.pdf", pdf_bytes()), actor=county_user
    )
    assert attachment.original_name == "passwd.pdf"
    assert (media / attachment.file_path).resolve().is_relative_to(media.resolve())


# --- scope and roles ---------------------------------------------------------------------------


def test_another_countys_attachments_answer_404(
    county_client, other_county_user, other_school, media
):
    theirs = services.attachment_add(
        row=other_school, upload=upload("theirs.jpg", photo_with_gps()), actor=other_county_user
    )
    for name in ("attachment-file", "attachment-thumb"):
        assert fetch(county_client, reverse(name, args=[theirs.pk])).status_code == 404
    assert county_client.post(reverse("attachment-delete", args=[theirs.pk])).status_code == 404
    assert Attachment.objects.filter(pk=theirs.pk).exists()
    assert (media / theirs.file_path).is_file()

    response = county_client.post(upload_url(other_school), {"files": upload("x.pdf", pdf_bytes())})
    assert response.status_code == 404
    assert Attachment.objects.count() == 1
    assert fetch(county_client, reverse("attachment-file", args=[987654])).status_code == 404
    response = county_client.post(
        reverse("attachment-upload", args=["core.nosuchledger", other_school.pk]), {}
    )
    assert response.status_code == 404


def test_city_staff_can_view_but_not_upload_or_delete(
    client, city_user, county_user, school, media
):
    attachment = services.attachment_add(
        row=school, upload=upload("a.jpg", photo_with_gps()), actor=county_user
    )
    client.force_login(city_user)
    assert fetch(client, reverse("attachment-file", args=[attachment.pk])).status_code == 200
    assert fetch(client, reverse("attachment-thumb", args=[attachment.pk])).status_code == 200
    page = client.get(reverse("school-detail", args=[school.pk])).content.decode()
    assert reverse("attachment-thumb", args=[attachment.pk]) in page
    assert 'id="attachment-form"' not in page
    assert reverse("attachment-delete", args=[attachment.pk]) not in page

    response = client.post(upload_url(school), {"files": upload("b.pdf", pdf_bytes())})
    assert response.status_code == 403
    assert client.post(reverse("attachment-delete", args=[attachment.pk])).status_code == 403
    assert Attachment.objects.count() == 1


def test_anonymous_is_sent_to_log_in(client, county_user, school, media):
    attachment = services.attachment_add(
        row=school, upload=upload("a.pdf", pdf_bytes()), actor=county_user
    )
    response = fetch(client, reverse("attachment-file", args=[attachment.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_attachment_of_a_deleted_or_moved_row_is_no_longer_served(
    county_client, county_user, school, other_school, media
):
    student = StudentFactory(school=school)
    attachment = services.attachment_add(
        row=student, upload=upload("证明.pdf", pdf_bytes()), actor=county_user
    )
    url = reverse("attachment-file", args=[attachment.pk])
    assert fetch(county_client, url).status_code == 200
    student.school = other_school  # transferred to another county's school
    student.save()
    assert fetch(county_client, url).status_code == 404


def test_files_follow_their_row_when_it_moves_county(
    county_client, county_user, other_county_user, school, other_school, media
):
    student = StudentFactory(school=other_school)
    attachment = services.attachment_add(
        row=student, upload=upload("转入材料.pdf", pdf_bytes()), actor=other_county_user
    )
    url = reverse("attachment-file", args=[attachment.pk])
    assert fetch(county_client, url).status_code == 404
    student.school = school  # transferred into the county user's school
    student.save()
    # The row is now visible, but its attachment still carries the old county: not served
    # until it follows the row.
    assert fetch(county_client, url).status_code == 404
    assert services.attachments_follow_row(student) == 1
    assert fetch(county_client, url).status_code == 200
    assert services.attachments_follow_row(student) == 0


# --- deletion and history ------------------------------------------------------------------------


def test_upload_and_delete_show_in_the_rows_history(
    county_client, school, media, django_capture_on_commit_callbacks
):
    county_client.post(upload_url(school), {"files": upload("现场照片.jpg", photo_with_gps())})
    attachment = Attachment.objects.get()
    paths = [media / attachment.file_path, media / attachment.thumbnail_path]
    assert all(path.is_file() for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        response = county_client.post(reverse("attachment-delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert not any(path.exists() for path in paths)

    changes = [event.changes for event in audit.history(school).order_by("at", "id")]
    assert changes == [
        {"attachments": [None, "现场照片.jpg"]},
        {"attachments": ["现场照片.jpg", None]},
    ]
    page = county_client.get(reverse("school-detail", args=[school.pk])).content.decode()
    assert page.count("现场照片.jpg") >= 2  # both history entries


def test_student_row_takes_attachments(county_client, school, media):
    student = StudentFactory(school=school)
    response = county_client.post(
        upload_url(student),
        {"files": [upload("家访.jpg", photo_with_gps()), upload("a.docx", docx_bytes())]},
    )
    assert response.status_code == 302
    assert Attachment.objects.filter(object_id=student.pk).count() == 2
    page = county_client.get(reverse("student-detail", args=[student.pk])).content.decode()
    assert "家访.jpg" in page and "a.docx" in page
    # The school's page does not show the student's files.
    school_page = county_client.get(reverse("school-detail", args=[school.pk])).content.decode()
    assert "家访.jpg" not in school_page


# --- the reusable scoping check, for attachments on every registered ledger ----------------------

CASES = load_all()
LEDGERS = {ledger.label: ledger for ledger in all_ledgers()}


@pytest.mark.parametrize("label", sorted(LEDGERS))
def test_attachments_on_every_ledger_stay_in_their_county(
    label, county_client, county_user, other_county_user, school, other_school, media
):
    ledger, case = LEDGERS[label], CASES.get(label)
    if case is None:
        pytest.fail(f"{label} has no ScopingCase (tests/<app>/scoping_cases.py)")
    mine, theirs = case.make(school), case.make(other_school)
    my_file = services.attachment_add(
        row=mine, upload=upload("mine.png", image_bytes("PNG")), actor=county_user
    )
    their_file = services.attachment_add(
        row=theirs, upload=upload("theirs.png", image_bytes("PNG")), actor=other_county_user
    )

    for name in ("attachment-file", "attachment-thumb"):
        assert fetch(county_client, reverse(name, args=[my_file.pk])).status_code == 200
        assert fetch(county_client, reverse(name, args=[their_file.pk])).status_code == 404
    assert county_client.post(reverse("attachment-delete", args=[their_file.pk])).status_code == 404
    response = county_client.post(upload_url(theirs), {"files": upload("x.pdf", pdf_bytes())})
    assert response.status_code == 404
    assert set(Attachment.objects.values_list("pk", flat=True)) == {my_file.pk, their_file.pk}
    assert list(Attachment.objects.visible_to(county_user)) == [my_file]

    with pytest.raises(PermissionDenied):
        services.attachment_add(row=theirs, upload=upload("y.pdf", pdf_bytes()), actor=county_user)

    # The row's page shows its attachments (a ledger with its own detail template includes
    # `{% load attachments %}{% attachments_for object %}`, as core/ledger_detail.html does).
    page = county_client.get(reverse(ledger.url_name("detail"), args=[mine.pk])).content.decode()
    shown = reverse("attachment-thumb", args=[my_file.pk]) in page
    assert shown, f"{label}: the detail page does not show the row's attachments"
    assert reverse("attachment-thumb", args=[their_file.pk]) not in page


def test_deleting_a_row_deletes_its_attachments_and_their_files(
    county_client, county_user, school, media, django_capture_on_commit_callbacks
):
    student = StudentFactory(school=school)
    attachment = services.attachment_add(
        row=student, upload=upload("家访记录.pdf", pdf_bytes()), actor=county_user
    )
    stored = Path(media) / attachment.file_path
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = county_client.post(reverse("student-delete", args=[student.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not stored.exists()


def test_attachments_follow_a_row_moved_through_the_api(
    city_admin, county_user, school, other_school, media
):
    from rest_framework.test import APIClient

    student = StudentFactory(school=school)
    attachment = services.attachment_add(
        row=student, upload=upload("证明.pdf", pdf_bytes()), actor=county_user
    )
    api = APIClient()
    api.force_authenticate(city_admin)
    response = api.patch(
        f"/api/v1/students/{student.pk}/",
        {"school": other_school.pk, "version": student.version},
        format="json",
    )
    assert response.status_code == 200
    attachment.refresh_from_db()
    assert attachment.county_id == other_school.county_id
