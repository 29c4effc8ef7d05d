"""API tokens (django-rest-knox): who holds which, and what revokes them.

A token is made by each log-in at /api/v1/auth/token/ and lives settings.API_TOKEN_TTL_HOURS.
knox stores only its hash and its first 15 characters (`token_key`); pages show the last four of
those, never more. Revoked, with an audit event on the owner's user row:

- on log-out: the API log-out revokes the token it was sent with (log-out-all: every one); the web
  log-out revokes every token of the user — "log out" means out everywhere;
- on a new password (the user's own change, a city administrator's reset, Django admin,
  `manage.py changepassword`) and on deactivation: every token of the user (signals below, so no
  path that saves the user can forget it).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from knox.models import AuthToken

from core import audit
from core.models import AuditAction, User


def shown_key(token: AuthToken) -> str:
    """What a page may show of a token: the last four characters of its stored key."""
    return "…" + token.token_key[-4:]


def reference(token: AuthToken) -> str:
    """A handle for a token in forms and URLs that reveals nothing of the token or its hash."""
    return salted_hmac("core.tokens.reference", token.digest).hexdigest()[:20]


def find(user, ref: str):
    """The token of `user` with this reference, or None."""
    for token in AuthToken.objects.filter(user=user):
        if constant_time_compare(reference(token), ref):
            return token
    return None


def active_tokens(user):
    now = timezone.now()
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=now))
        .order_by("-created")
    )


def delete_expired(user) -> None:
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()


def revoke(tokens, *, owner, actor, reason: str) -> int:
    """Delete these tokens of `owner` and record it; returns how many were revoked."""
    tokens = list(tokens)
    if not tokens:
        return 0
    AuthToken.objects.filter(user=owner, digest__in=[t.digest for t in tokens]).delete()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=owner,
        model=User,  # `owner` may be request.user, a lazy object
        changes={"api_tokens": [", ".join(shown_key(t) for t in tokens), None]},
        note=_("API tokens revoked: %(reason)s") % {"reason": reason},
    )
    return len(tokens)


def revoke_all(owner, *, actor, reason: str) -> int:
    return revoke(AuthToken.objects.filter(user=owner), owner=owner, actor=actor, reason=reason)


@receiver(user_logged_out, dispatch_uid="core.tokens.revoke_on_logout")
def revoke_on_logout(sender, request, user, **kwargs):
    # The API log-out views revoke what they mean to themselves (the request's `auth` is then
    # the token); a web log-out ends every token of the user.
    if user is None or isinstance(getattr(request, "auth", None), AuthToken):
        return
    revoke_all(user, actor=user, reason=_("logged out"))


@receiver(pre_save, sender=User, dispatch_uid="core.tokens.note_credential_change")
def note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._tokens_revoke_reason = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    if stored["is_active"] and not instance.is_active:
        instance._tokens_revoke_reason = _("account deactivated")
    elif stored["password"] != instance.password:
        instance._tokens_revoke_reason = _("password changed")


@receiver(post_save, sender=User, dispatch_uid="core.tokens.revoke_on_credential_change")
def revoke_on_credential_change(sender, instance, created, raw=False, **kwargs):
    reason = getattr(instance, "_tokens_revoke_reason", None)
    if reason and not created and not raw:
        instance._tokens_revoke_reason = None
        revoke_all(instance, actor=None, reason=reason)
