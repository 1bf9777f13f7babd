"""Forms for the second factor and for confirming who you are."""

from django import forms
from django.contrib.auth import authenticate

from core.dates import PlausibleDateField
from core.forms import DateInput

from . import backup_codes, second_factor, training
from .models import Area, User


class _CodeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=20,
            strip=True,
            widget=forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "spellcheck": "false",
                    "class": "govuk-input--width-10",
                }
            ),
            error_messages={"required": kwargs.pop("required_message")},
            **kwargs,
        )


def _normalised(code: str) -> str:
    return backup_codes.normalised(code)


def _refusal(outcome: second_factor.Outcome, wrong: str) -> str:
    """What to say when a code was not accepted. While django-otp's throttling pauses the
    device even a right code is refused, so the message never calls that code wrong."""
    if outcome.refused_unchecked:
        return (
            f"You have entered too many wrong codes. Wait {outcome.wait_words}, then enter "
            "the newest code: until then no code is accepted, even a right one"
        )
    if outcome.wait_until and outcome.failures >= second_factor.WARN_AFTER_FAILURES:
        return (
            f"{wrong}. You have entered {outcome.failures} wrong codes in a row: wait "
            f"{outcome.wait_words} before trying again, because until then no code is "
            "accepted, even a right one"
        )
    return wrong


class ConfirmDeviceForm(forms.Form):
    """Enrolment: the first code from the new authenticator app proves it is set up."""

    code = _CodeField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows for Ephedra.",
        required_message="Enter the 6-digit code from your authenticator app",
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = _normalised(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        outcome = second_factor.verify_new_app(self.device.user, self.device, code)
        if outcome.device is None:
            raise forms.ValidationError(
                _refusal(
                    outcome,
                    "The code is not right. Check the time on your phone is correct and "
                    "enter the newest code",
                )
            )
        return code


class VerifyForm(forms.Form):
    """After the password: a code from the authenticator app, or one backup code."""

    code = _CodeField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows for Ephedra. "
        "If you do not have your phone, enter one of your backup codes.",
        required_message="Enter the code from your authenticator app or a backup code",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self):
        code = _normalised(self.cleaned_data["code"])
        outcome = second_factor.verify(self.user, code)
        if outcome.device is None:
            raise forms.ValidationError(
                _refusal(
                    outcome,
                    "The code is not right. Enter the newest code from your app, "
                    "or an unused backup code",
                )
            )
        self.device = outcome.device
        return code


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # authenticate(), not check_password(): django-axes counts a wrong password here too.
        again = authenticate(self.request, username=user.get_username(), password=password)
        if again is None or again.pk != user.pk:
            raise forms.ValidationError("The password is not right")
        return password


class UserSearchForm(forms.Form):
    q = forms.CharField(label="Username", required=False, max_length=150)


# --- Ephedra training (accounts/training.py) --------------------------------------------


class OfficerChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, officer: User) -> str:
        trained = officer.officer_profile.ephedra_trained_on
        status = f"trained {trained:%-d %b %Y}" if trained else "not yet trained"
        return f"{officer.get_full_name() or officer.username} ({status})"


class TrainingForm(forms.Form):
    held_on = PlausibleDateField(label="Date of the session", widget=DateInput)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), empty_label=None)
    trainer = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Choose")
    attendees = OfficerChoices(queryset=User.objects.none(), label="Officers who attended")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = user.areas.order_by("name")
        officers = training.trainable_officers(user)
        self.fields["trainer"].queryset = officers
        self.fields["attendees"].queryset = officers
