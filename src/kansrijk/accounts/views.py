"""Login, logout, password reset and TOTP two-factor authentication."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.throttling import services as throttle
from kansrijk.throttling.responses import refused

from . import services
from .forms import TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Counted per e-mail address as typed, whether or not an account has it, so the
        # refusal tells nothing about who has an account here.
        keys = [
            (throttle.RESET_MAIL_PER_ADDRESS, throttle.client_address(self.request)),
            (throttle.RESET_MAIL_PER_EMAIL, throttle.normalised(form.cleaned_data["email"])),
        ]
        for name, value in keys:
            if refusal := throttle.check(name, value):
                return refused(self.request, refusal)
        for name, value in keys:
            throttle.hit(name, value)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse_lazy("home")


def _qr_svg(config_url: str) -> str:
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def two_factor_setup(request):
    # Enrolling a new device needs the second factor once one exists: otherwise a stolen
    # password alone would be enough to add an attacker's authenticator.
    has_confirmed_device = any(True for _ in devices_for_user(request.user, confirmed=True))
    if has_confirmed_device and not request.user.is_verified():
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.get_full_path()}")
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        form = TokenForm(request.POST)
        if device and form.is_valid() and device.verify_token(form.cleaned_data["token"]):
            services.confirm_totp_device(device, actor=request.user)
            otp_login(request, device)
            messages.success(request, _("Tweestapsverificatie staat aan."))
            return redirect(_next_url(request))
        if device and form.is_valid():
            form.add_error(
                "token", _("Deze code klopt niet. Probeer de code die nu in de app staat.")
            )
    else:
        form = TokenForm()
        device = services.start_totp_enrolment(request.user, actor=request.user)
    secret = base64.b32encode(device.bin_key).decode() if device else ""
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url) if device else "",
            "secret": secret,
            "next": _next_url(request),
        },
    )


@login_required
def two_factor_verify(request):
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet. Probeer de code die nu in de app staat."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
