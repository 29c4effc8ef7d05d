"""Form fields and forms of the shared schema; ledger forms are scoped by ScopedModelForm."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from core import calendar, idnumbers
from core.models import Region, RegionLevel, School, SchoolEnrolment, Student, User
from core.roster import RosterChild, RosterVersion
from core.scoping import CITY_ROLES, COUNTY_ROLES, SCHOOL_ROLES, Role, county_of, school_of


class SchoolYearField(forms.TypedChoiceField):
    """The one school-year control 学年 of every page: a drop-down of school years labelled
    2023–2024 (core.calendar.school_year_choices) — the years of the rows behind the page
    (`years`) and the current one; a year outside them is refused with a message."""

    def __init__(self, *, years=(), empty_label=None, **kwargs):
        kwargs.setdefault("label", _("school year"))
        kwargs.setdefault("error_messages", {"invalid_choice": _("Choose a school year listed.")})
        years = tuple(years)  # read when the choices are (never at import)
        blank = [("", empty_label)] if empty_label is not None else []

        def choices():
            return [*blank, *calendar.school_year_choices(*years)]

        super().__init__(coerce=int, choices=choices, **kwargs)
        self.widget.attrs.setdefault("class", "form-select form-select-sm school-year-select")


class SchoolYearForm(forms.Form):
    """A page's school-year filter (the dashboards and rates): `years` are the years it has rows
    for; `default` is the year shown when none is asked for."""

    def __init__(self, data=None, *, years=(), default: int | None = None, **kwargs):
        years = [*years, *([default] if default else [])]
        if data is not None and not data.get("school_year") and default:
            data = data.copy()
            data["school_year"] = str(default)  # shown selected, like any asked-for year
        super().__init__(data, **kwargs)
        self.fields["school_year"] = SchoolYearField(years=years, initial=default)
        self.default = default

    def year(self) -> int | None:
        """The year asked for when it is valid, else the default (the error is shown)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["school_year"]
        return self.default


class DashboardForm(SchoolYearForm):
    """An area dashboard's filters: the school year (`years` with rows, `default` when none is
    asked for) and, for a user who sees more than one county, the county — 全部县区 (the whole
    scope) when none is chosen. An area adds its own filters as fields in a subclass."""

    def __init__(self, data=None, *, user, years=(), default: int | None = None, **kwargs):
        super().__init__(data, years=years, default=default, **kwargs)
        if county_of(user) is None and school_of(user) is None:
            self.fields["county"] = forms.ModelChoiceField(
                label=_("county"),
                queryset=Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY),
                required=False,
                empty_label=_("All counties"),
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")


class IdNumberFormField(forms.CharField):
    """Accepts full-width digits, spaces and a lower-case x; checks the date and check character."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("spellcheck", "false")

    def to_python(self, value):
        return idnumbers.normalize(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            idnumbers.validate(value)


UNIQUE_CODES = ("unique", "unique_together")
ENTRY_YEARS_BACK = 4  # a ledger form offers the current school year and the four before it


DASHES = "---------"  # Django's empty choice: it says nothing to a new user


def _plural(label: str) -> str:
    """An English label's plural (county → counties, status → statuses, school year → school
    years); a label naming a pair ("urban or rural") and a Chinese one are kept as they are."""
    if not label.isascii() or " or " in label or not label:
        return label
    head, _space, word = label.rpartition(" ")
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        word = word[:-1] + "ies"
    elif word.endswith(("s", "x", "ch", "sh")):
        word += "es"
    else:
        word += "s"
    return f"{head} {word}" if head else word


def all_choice_label(label) -> str:
    """The empty choice of a filter drop-down, from its field's label: 全部县区 / All counties,
    全部学校 / All schools, 全部办理状态 / All statuses (a filter left empty filters nothing)."""
    return _("All %(things)s") % {"things": _plural(str(label))}


def name_empty_choices(form: forms.BaseForm) -> None:
    """A drop-down's empty choice says what it means: 请选择 where a choice is needed, （不选）
    where none may be, instead of Django's "---------"."""
    for field in form.fields.values():
        label = _("Choose…") if field.required else _("(none)")
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = label
                field.widget.choices = field.choices
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if choices and choices[0] == ("", DASHES):
                field.choices = [("", label), *choices[1:]]


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap's class on each widget of a form that is not a ledger form (a widget's own class
    is kept): form-select for a drop-down, form-check-input for a check box, form-control else;
    the empty choices named (name_empty_choices)."""
    name_empty_choices(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):  # and SelectMultiple
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            continue  # its template styles each box
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control")


class CheckboxesWithAll(forms.CheckboxSelectMultiple):
    """Several choices as check boxes in columns, with a 全选 (select all) box above them that
    ticks or clears them all (static/js/app.js: data-check-all) — not a multi-select list, which
    a new user does not know to Ctrl-click. Drawn by the site's own template, core/_checkboxes.html.
    """

    def render(self, name, value, attrs=None, renderer=None):
        return render_to_string("core/_checkboxes.html", self.get_context(name, value, attrs))


class StyledModelForm(forms.ModelForm):
    """A model form of the city's reference data, styled (style_widgets)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (a case's or a finding's photos): a list, empty ones dropped."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ScopedModelForm(forms.ModelForm):
    """A ledger form: every choice of a scoped model offers only rows visible to the user."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.conflict = []
        if self.instance.pk and hasattr(self.instance, "version"):
            # The version the user started from; a save based on an older one is refused.
            self.fields["row_version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
        self._school_year_drop_down(user)
        name_empty_choices(self)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if isinstance(field.widget, (forms.Select, forms.SelectMultiple)):
                field.widget.attrs.setdefault("class", "form-select")
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-control")
            if name in getattr(self.Meta, "date_fields", ()):
                field.widget.input_type = "date"
                field.widget.format = "%Y-%m-%d"  # what <input type=date> reads
        self.masked_id_fields = (
            [
                name
                for name, field in self.fields.items()
                if isinstance(field, IdNumberFormField) and getattr(self.instance, name, None)
            ]
            if self.instance.pk
            else []
        )
        for name in self.masked_id_fields:
            # On edit the stored ID number is never sent back to the browser; a new one may be
            # typed, and an empty field keeps the stored one.
            field = self.fields[name]
            field.required = False
            field.help_text = _("Shown masked: %(masked)s. Leave empty to keep it.") % {
                "masked": idnumbers.mask(getattr(self.instance, name))
            }
            self.initial[name] = ""

    def _school_year_drop_down(self, user):
        """A ledger's school year is the one school-year control (SchoolYearField): the years of
        the user's rows of the ledger, the row's own, and the current one with the four before
        it (an officer enters last year's payments too)."""
        field = self.fields.get("school_year")
        manager = getattr(self._meta.model, "objects", None)
        if not isinstance(field, forms.IntegerField) or not hasattr(manager, "visible_to"):
            return
        years = set(
            manager.visible_to(user).order_by().values_list("school_year", flat=True).distinct()
        )
        if self.instance.pk and self.instance.school_year:
            years.add(self.instance.school_year)
        current = calendar.current_school_year()
        years.update(range(current - ENTRY_YEARS_BACK, current + 1))
        self.fields["school_year"] = SchoolYearField(
            years=years,
            required=field.required,
            label=field.label,
            help_text=field.help_text,
            empty_label="" if not field.required else None,
        )
        self.fields["school_year"].widget.attrs["class"] = "form-select"

    def _clean_fields(self):
        super()._clean_fields()
        for name in self.masked_id_fields:
            if not self.cleaned_data.get(name) and name not in self.errors:
                self.cleaned_data[name] = getattr(self.instance, name)

    def _post_clean(self):
        """A duplicate of a row the user may not see gets the refusal that points to the city
        (core.conflicts), never "already exists": that would tell where a child is registered."""
        super()._post_clean()
        from core.conflicts import ConflictSource, refuse

        message = refuse(self.instance, user=self.user, source=ConflictSource.FORM)
        if not message:
            return
        for name in list(self._errors):
            kept = [e for e in self._errors[name].as_data() if e.code not in UNIQUE_CODES]
            if kept:
                self._errors[name] = self.error_class(kept)
            else:
                del self._errors[name]
        self.add_error(None, message)

    def clean(self):
        cleaned = super().clean()
        # A person's birth date is not a form field (shown beside the masked ID number on an edit
        # form it would give the number away): it is read from the ID number.
        number = cleaned.get("id_number")
        if (
            number
            and "birth_date" not in self.fields
            and any(f.name == "birth_date" for f in self.instance._meta.concrete_fields)
            and idnumbers.is_valid(number)
        ):
            self.instance.birth_date = idnumbers.birth_date(number)
        return cleaned


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = School.ledger_fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = self.fields["county"].queryset.filter(
            level=RegionLevel.COUNTY
        )
        self.fields["township"].queryset = self.fields["township"].queryset.filter(
            level=RegionLevel.TOWNSHIP
        )


def entered_fields(model) -> list[str]:
    """A person ledger's fields as its form asks for them: not the county (it follows the school
    or the township) nor the birth date (read from the ID number)."""
    return [name for name in model.ledger_fields if name not in ("county", "birth_date")]


def ledger_form(model, fields) -> type[ScopedModelForm]:
    """A plain ledger's form (<Model>Form, found by name): these fields in this order, nothing of
    its own beyond ScopedModelForm."""
    form = forms.modelform_factory(model, form=ScopedModelForm, fields=list(fields))
    form.__module__ = __name__
    return form


SchoolEnrolmentForm = ledger_form(
    SchoolEnrolment, ["school", "school_year", "enrolment", "boarders"]
)
StudentForm = ledger_form(Student, entered_fields(Student))
RosterVersionForm = ledger_form(RosterVersion, ["county", "label", "as_of", "note"])
RosterChildForm = ledger_form(RosterChild, entered_fields(RosterChild))


class FollowingSelect(forms.Select):
    """A drop-down that follows another one of its form (static/js/app.js): each option carries
    the key it belongs to (data-parent, from `parent_of(instance)`), the leading drop-down's
    options that narrow it carry data-narrows; choosing one of them leaves only its options."""

    def __init__(self, *, follows: str, parent_of, attrs=None):
        super().__init__(attrs=attrs)
        self.parent_of = parent_of
        self.attrs["data-follows"] = follows

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-parent"] = str(self.parent_of(instance))
        return option


class CountyNarrowsSelect(forms.Select):
    """The scope drop-down: a county's option narrows the school drop-down to its schools; the
    city's does not (a school officer's scope is then its school's county)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.level == RegionLevel.COUNTY:
            option["attrs"]["data-narrows"] = "true"
        return option


class OneMessagePerField:
    """A field the form refused is empty for the model's clean(), which would then add a second
    message for it (学校填报员须指定所在学校。 under a school refused for its county): a field
    shows the form's message only."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            kept = {
                field: messages
                for field, messages in errors.error_dict.items()
                if field not in self._errors
            }
            if not kept:
                return
            errors = forms.ValidationError(kept)
        super()._update_errors(errors)


class UserCreateForm(OneMessagePerField, forms.ModelForm):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "email",
            "phone",
            "role",
            "scope",
            "school",
            "is_active",
        ]
        widgets = {"scope": CountyNarrowsSelect}
        labels = {"username": _("User name"), "email": _("Email"), "is_active": _("Active")}
        help_texts = {
            "username": _(
                "Used to sign in: up to 150 letters, digits and the signs @ . + - _; "
                "it cannot be changed later."
            ),
            "is_active": _(
                "A user who is not active cannot sign in; what they entered and its history "
                "stay. Deactivate a user instead of deleting them."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].required = True
        self.fields["role"].choices = [("", _("Choose a role")), *Role.choices]
        scope = self.fields["scope"]
        scope.queryset = Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
        scope.empty_label = _("Choose the city or a county")
        scope.help_text = _("The city or a county; for a school officer it is its school's county.")
        school = self.fields["school"]
        school.queryset = School.objects.select_related("county").order_by("county__code", "code")
        school.label_from_instance = lambda s: f"{s.county} · {s.code} {s.name}"
        school.empty_label = _("None (only a school officer has a school)")
        school.widget = FollowingSelect(follows="scope", parent_of=lambda s: s.county_id)
        school.widget.choices = school.choices
        school.help_text = _(
            "A school officer's school; once a county is chosen as the scope, only its schools "
            "are listed."
        )
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else ("form-select" if isinstance(field.widget, forms.Select) else "form-control")
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        role, scope, school = cleaned.get("role"), cleaned.get("scope"), cleaned.get("school")
        if role in SCHOOL_ROLES:
            if school is None:
                if "school" not in self.errors:
                    self.add_error("school", _("A school officer needs a school."))
            elif scope is not None and scope.level == RegionLevel.COUNTY and scope != school.county:
                self.add_error(
                    "school",
                    _(
                        "%(school)s is a school of %(county)s, not of %(chosen)s: choose one of "
                        "%(chosen)s's schools, or choose %(county)s as the scope."
                    )
                    % {"school": school.name, "county": school.county, "chosen": scope},
                )
            else:  # its scope is its school's county (the city chosen, or the same county)
                cleaned["scope"] = self.instance.scope = school.county
                scope = None
        elif school is not None:
            self.add_error("school", _("Only a school officer has a school."))
        elif role and scope is None:
            self.add_error("scope", _("Choose the city or a county."))
        if role in COUNTY_ROLES and scope and scope.level != RegionLevel.COUNTY:
            self.add_error("scope", _("A county role needs a county as its scope."))
        if role in CITY_ROLES and scope and scope.level != RegionLevel.CITY:
            self.add_error("scope", _("A city role needs the city as its scope."))
        password = cleaned.get("password")
        if password and "password" in self.fields:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if "password" in self.cleaned_data:
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class UserFilterForm(forms.Form):
    """The user list's filters: a role, the city or a county, a user name or full name."""

    role = forms.ChoiceField(label=_("Role"), required=False)
    scope = forms.ModelChoiceField(
        label=_("Scope"), queryset=Region.objects.none(), required=False, empty_label=_("All")
    )
    q = forms.CharField(label=_("User name or full name"), required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All")), *Role.choices]
        self.fields["scope"].queryset = Region.objects.filter(
            level__in=[RegionLevel.CITY, RegionLevel.COUNTY]
        ).order_by("level", "code")
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )


class UserUpdateForm(UserCreateForm):
    class Meta(UserCreateForm.Meta):
        fields = ["full_name", "email", "phone", "role", "scope", "school", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["password"]


class PasswordResetByAdminForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
