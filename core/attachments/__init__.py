"""Attachments: photos and documents on any ledger row, checked by content and served in scope."""
