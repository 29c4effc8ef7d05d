from django.urls import path

from core.attachments import views

# The file routes come first: a ledger label always contains a dot, so it never reads as "file".
urlpatterns = [
    path("file/<int:pk>/", views.AttachmentFileView.as_view(), name="attachment-file"),
    path(
        "file/<int:pk>/thumb/",
        views.AttachmentFileView.as_view(thumbnail=True),
        name="attachment-thumb",
    ),
    path("file/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment-delete"),
    path(
        "<str:ledger>/<int:pk>/",
        views.AttachmentUploadView.as_view(),
        name="attachment-upload",
    ),
]
