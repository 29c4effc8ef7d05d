"""API log-in and log-out (django-rest-knox tokens), and the pages that list and revoke tokens:
a user's own under /account/, any user's for city administrators under /users/<pk>/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit, tokens
from core.models import AuditAction, User
from core.views import CityAdminRequiredMixin

# --- API -----------------------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("User name"))
    password = serializers.CharField(
        label=gettext_lazy("Password"), style={"input_type": "password"}, trim_whitespace=False
    )


TokenSerializer = inline_serializer(
    "ApiToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
)


class ApiLoginView(APIView):
    """POST a user name and password; get a new token and its expiry. Send it as
    `Authorization: Token <token>`. Failed attempts count towards the log-in lockout."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = LoginSerializer

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong user name or password"),
            429: OpenApiResponse(description="Locked out after too many failed attempts"),
        },
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Through django-axes (AUTHENTICATION_BACKENDS): a locked user or address gets no
        # token, and a failure here counts like one on the log-in page.
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed log-in attempts: log-in is locked for one hour.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Wrong user name or password.")]}
            )
        tokens.delete_expired(user)
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token, "expiry": instance.expiry})


class ApiLogoutView(APIView):
    """Revoke the token this request is sent with."""

    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)
    revoke_all = False

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        revoked = AuthToken.objects.filter(user=request.user) if self.revoke_all else [request.auth]
        tokens.revoke(revoked, owner=request.user, actor=request.user, reason=_("API log-out"))
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiLogoutAllView(ApiLogoutView):
    """Revoke every token of the user the request is sent by."""

    revoke_all = True


# --- Pages ---------------------------------------------------------------------------------------


class TokenListMixin:
    template_name = "core/token_list.html"

    def owner(self):
        raise NotImplementedError

    def revoke_url(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        owner = self.owner()
        return super().get_context_data(
            owner=owner,
            own=owner == self.request.user,
            tokens=[
                (t, tokens.shown_key(t), tokens.reference(t)) for t in tokens.active_tokens(owner)
            ],
            revoke_url=self.revoke_url(),
            ttl_hours=knox_settings.TOKEN_TTL.total_seconds() / 3600,
            **kwargs,
        )


class TokenRevokeMixin:
    """POST `token`: the reference of one of the owner's tokens (core.tokens.reference), or
    `all`. Another user's token is not found (404)."""

    http_method_names = ["post"]

    def owner(self):
        raise NotImplementedError

    def success_url(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        owner = self.owner()
        chosen = request.POST.get("token", "")
        if chosen == "all":
            revoked = AuthToken.objects.filter(user=owner)
        else:
            token = tokens.find(owner, chosen) if chosen else None
            if token is None:
                raise Http404
            revoked = [token]
        with transaction.atomic():
            count = tokens.revoke(
                revoked, owner=owner, actor=request.user, reason=_("revoked on the tokens page")
            )
        messages.success(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
            % {"count": count},
        )
        return HttpResponseRedirect(self.success_url())


class OwnTokensView(LoginRequiredMixin, TokenListMixin, TemplateView):
    def owner(self):
        return self.request.user

    def revoke_url(self):
        return reverse("account-token-revoke")


class OwnTokenRevokeView(LoginRequiredMixin, TokenRevokeMixin, View):
    def owner(self):
        return self.request.user

    def success_url(self):
        return reverse("account-tokens")


class UserTokensMixin(CityAdminRequiredMixin):
    def owner(self):
        if not hasattr(self, "_owner"):
            self._owner = get_object_or_404(User, pk=self.kwargs["pk"])
        return self._owner


class UserTokensView(UserTokensMixin, TokenListMixin, TemplateView):
    def revoke_url(self):
        return reverse("user-token-revoke", args=[self.owner().pk])


class UserTokenRevokeView(UserTokensMixin, TokenRevokeMixin, View):
    def success_url(self):
        return reverse("user-tokens", args=[self.owner().pk])


class OwnPasswordChangeView(auth_views.PasswordChangeView):
    """The signed-in user changes their password; their API tokens are revoked (core.tokens)."""

    template_name = "core/account_password.html"
    success_url = reverse_lazy("home")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(
                actor=self.request.user,
                action=AuditAction.UPDATE,
                obj=form.user,
                model=User,  # form.user is request.user, a lazy object
                changes={"password": ["***", "***"]},
            )
        messages.success(self.request, _("Your password has been changed."))
        return response
