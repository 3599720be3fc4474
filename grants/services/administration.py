"""
Administration: the organisations a funder works with, the people who sign in, the funder's Police and
Crime Plan priorities and the areas projects serve. Each write checks permission and reach, validates,
saves in one transaction and leaves a trace: the audit history of organisations, priorities and areas,
and an account's own timeline (AccountEvent: an account has no audit history, since signing in saves it).

An invited person gets an account without a usable password and an e-mail with a one-time link to set
one: Django's password reset token (default_token_generator), which stops working once the password is
set, the account signs in, or the link is a few days old (PASSWORD_RESET_TIMEOUT). The link is built
from SITE_URL, never from a request. Nobody is deleted: an account is switched off (is_active) and
its returns, decisions and events stay.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from grants import permissions
from grants.models import AccountEvent, Area, Organisation, Priority, User
from grants.selectors import administration as reach

from . import kept
from .base import Invalid, NotAllowed, audited, errors_from, require, unknown_fields, validated

ORGANISATION_FIELDS = ("name", "kind", "charity_number", "company_number", "local_authority_code", "supplier_number",
                       "accountable_body")
INVITE_FIELDS = ("first_name", "last_name", "email", "organisation", "role")
PRIORITY_FIELDS = ("code", "name", "description")
AREA_FIELDS = ("name", "code", "code_type")
NUMBER_FIELDS = ("charity_number", "company_number", "local_authority_code")
NAME_TAKEN = ("An organisation with this name is already registered: check the name, or add what tells them "
              "apart, such as the town.")
NUMBER_TAKEN = "Another organisation already has this number."
EMAIL_TAKEN = "Someone already has an account with this email address."


# Organisations --------------------------------------------------------------------------------


def _validated_organisation(organisation: Organisation) -> Organisation:
    try:
        organisation.full_clean()
    except ValidationError as error:
        errors = errors_from(error)
        if "name" in errors and "already exists" in errors["name"]:
            errors["name"] = NAME_TAKEN
        # The identifier is made from the numbers: a clash is the number's.
        clash = errors.pop("org_identifier", None) or errors.pop("__all__", None)
        if clash:
            field = next((name for name in NUMBER_FIELDS if getattr(organisation, name)), "name")
            errors.setdefault(field, NUMBER_TAKEN if field != "name" else clash)
        raise Invalid(errors)
    return organisation


def _work_with(actor, funder_id: int, partner: Organisation) -> None:
    """Put `partner` on the funder's list, recorded in the funder's audit history."""
    kept.figures_moved(row=partner)  # the first lock of every change (grants.services.kept)
    funder = Organisation.objects.select_for_update().get(pk=funder_id)
    if funder.pk == partner.pk or funder.works_with.filter(pk=partner.pk).exists():
        return
    funder.works_with.add(partner)
    audited(funder, actor, f"Works with {partner.name}").save()


def _check_accountable_body(actor, values: dict) -> None:
    """An accountable body must be an organisation the actor's funder works with (the form offers only
    those; the model checks that it is a council and that only a partnership has one)."""
    body = values.get("accountable_body")
    if body is not None and not reach.organisations_worked_with(actor.organisation_id).filter(pk=body.pk).exists():
        raise Invalid({"accountable_body": "Choose a council your organisation works with."})


def organisation_create(*, actor, values: dict) -> Organisation:
    """A recipient or provider organisation, added to the list of those the actor's funder works with."""
    unknown_fields(values, ORGANISATION_FIELDS)
    require(permissions.can_create_organisation(actor))
    if values.get("kind") == Organisation.Kind.COMMISSIONER:
        raise Invalid({"kind": "Add the recipients and providers you fund here: a new funder is set up with "
                               "the create_administrator command."})
    _check_accountable_body(actor, values)
    organisation = _validated_organisation(Organisation(**values))
    with transaction.atomic():
        audited(organisation, actor, "Added").save()
        _work_with(actor, actor.organisation_id, organisation)
    return organisation


def organisation_update(*, actor, organisation: Organisation, values: dict) -> Organisation:
    """Change an organisation's name, kind or numbers. The funder's own organisation stays a commissioner,
    and no other becomes one. An identifier made from a number follows the number."""
    unknown_fields(values, ORGANISATION_FIELDS)
    require(permissions.can_edit_organisation(actor, organisation))
    if not reach.organisations_for_administrator(actor).filter(pk=organisation.pk).exists():
        raise NotAllowed("You can change only your own organisation and those it works with.")
    with transaction.atomic():
        kept.figures_moved(row=organisation)  # the first lock of every change (grants.services.kept)
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        kind = values.get("kind", locked.kind)
        if locked.kind == Organisation.Kind.COMMISSIONER and kind != Organisation.Kind.COMMISSIONER:
            raise Invalid({"kind": "This organisation funds others: it stays a commissioner."})
        if locked.kind != Organisation.Kind.COMMISSIONER and kind == Organisation.Kind.COMMISSIONER:
            raise Invalid({"kind": "Choose what kind of recipient or provider it is: a funder is set up with "
                                   "the create_administrator command."})
        if "accountable_body" in values and values["accountable_body"] != locked.accountable_body:
            _check_accountable_body(actor, values)
        partnerships = list(locked.accountable_for.values_list("name", flat=True))
        if partnerships and kind != Organisation.Kind.LOCAL_AUTHORITY:
            raise Invalid({"kind": f"{locked.name} is the accountable body of {', '.join(partnerships)}: it stays a "
                                   "local authority."})
        derived = locked.org_identifier and locked.org_identifier == locked.derived_identifier()
        for name, value in values.items():
            setattr(locked, name, value)
        if derived:
            locked.org_identifier = ""
        _validated_organisation(locked)
        audited(locked, actor).save()
    return locked


# People ---------------------------------------------------------------------------------------


def invitation_link(user: User) -> str:
    """The one-time link to set a password, valid until the password is set or it expires."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("invitation", kwargs={"uidb64": uid, "token": token})


def _send_invitation(user: User, inviter) -> None:
    context = {"user": user, "inviter": inviter, "link": invitation_link(user), "product_name": settings.SITE_NAME,
               "site_url": settings.SITE_URL.rstrip("/")}
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def _event(user, kind, actor, comment=""):
    AccountEvent.objects.create(user=user, kind=kind, actor=actor, at=timezone.now(), comment=comment[:200])


def _reached_organisation(actor, organisation: Organisation) -> None:
    if not reach.organisations_for_administrator(actor).filter(pk=organisation.pk).exists():
        raise NotAllowed("You can invite people to your own organisation and those it works with only.")


def user_invite(*, actor, values: dict) -> User:
    """An account for a person of the actor's organisation or one it works with, with no password yet;
    the e-mail with the link to set one is sent when the transaction commits. The username is the
    e-mail address."""
    unknown_fields(values, INVITE_FIELDS)
    require(permissions.can_administer(actor))
    organisation = values["organisation"]
    _reached_organisation(actor, organisation)
    allowed, reason = permissions.can_give_role(actor, organisation, values["role"])
    if not allowed:
        raise Invalid({"role": reason})
    email = values["email"].strip()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            raise Invalid({"email": EMAIL_TAKEN})
        user = User(username=email.lower(), email=email, first_name=values["first_name"].strip(),
                    last_name=values["last_name"].strip(), organisation=organisation, role=values["role"])
        user.set_unusable_password()
        validated(user, exclude=["password"])
        user.save()
        _event(user, AccountEvent.Kind.INVITED, actor, f"As {user.get_role_display().lower()}")
        _send_invitation(user, actor)
    return user


def user_invitation_resend(*, actor, user: User) -> User:
    """Send the link again to someone who has not set a password yet."""
    require(permissions.can_manage_user(actor, user))
    if user.has_usable_password():
        raise Invalid({"__all__": "This person has set a password already: they can use “Forgot your password?”."})
    if not user.is_active:
        raise Invalid({"__all__": "This account is deactivated: reactivate it first."})
    with transaction.atomic():
        _event(user, AccountEvent.Kind.INVITATION_RESENT, actor)
        _send_invitation(user, actor)
    return user


def user_role_change(*, actor, user: User, role: str) -> User:
    require(permissions.can_manage_user(actor, user))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if role == locked.role:
            return locked
        allowed, reason = permissions.can_change_role(
            actor, locked, role, active_administrators=_active_administrators(locked.organisation_id))
        if not allowed:
            raise Invalid({"role": reason})
        before = locked.get_role_display()
        locked.role = role
        locked.save(update_fields=["role"])
        _event(locked, AccountEvent.Kind.ROLE_CHANGED, actor, f"From {before.lower()} to {locked.get_role_display().lower()}")
    return locked


def _active_administrators(organisation_id) -> int:
    """Counted with the organisation's administrators locked, so that two switching each other off at
    once cannot both succeed."""
    return len(User.objects.select_for_update().filter(organisation_id=organisation_id, role=User.Role.ADMINISTRATOR,
                                                       is_active=True))


def user_deactivate(*, actor, user: User, reason: str = "") -> User:
    """Switch an account off: it can no longer sign in; everything it did stays."""
    require(permissions.can_manage_user(actor, user))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        require(permissions.can_deactivate_user(
            actor, locked, active_administrators=_active_administrators(locked.organisation_id)))
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _event(locked, AccountEvent.Kind.DEACTIVATED, actor, reason)
    return locked


def user_reactivate(*, actor, user: User) -> User:
    require(permissions.can_manage_user(actor, user))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise Invalid({"__all__": "This account is already active."})
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _event(locked, AccountEvent.Kind.REACTIVATED, actor)
    return locked


def administrator_bootstrap(*, organisation_name: str, username: str, email: str) -> tuple[User, str]:
    """The very first administrator of a funder, from the command line: the funder's organisation (made
    if there is none by that name) and the person, with the link to set their password."""
    with transaction.atomic():
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            organisation = _validated_organisation(
                Organisation(name=organisation_name, kind=Organisation.Kind.COMMISSIONER))
            organisation.save()
        elif organisation.kind != Organisation.Kind.COMMISSIONER:
            raise Invalid({"organisation": f"{organisation_name} is registered as a recipient or provider, "
                                           "not as a funder."})
        if User.objects.filter(username__iexact=username).exists() or User.objects.filter(email__iexact=email).exists():
            raise Invalid({"username": "Someone already has an account with this username or email address."})
        user = User(username=username, email=email, organisation=organisation, role=User.Role.ADMINISTRATOR)
        user.set_unusable_password()
        validated(user, exclude=["password"])
        user.save()
        _event(user, AccountEvent.Kind.INVITED, None, "As the first administrator, from the command line")
    return user, invitation_link(user)


# Priorities and areas -------------------------------------------------------------------------


def priority_save(*, actor, priority: Priority | None, values: dict) -> Priority:
    """Add a priority to the actor's funder's plan, or change one."""
    unknown_fields(values, PRIORITY_FIELDS)
    require(permissions.can_edit_priority(actor, priority))
    with transaction.atomic():
        if priority is None:
            priority = Priority(commissioner_id=actor.organisation_id)
        else:
            kept.figures_moved(row=priority)  # the first lock of every change (grants.services.kept)
            priority = Priority.objects.select_for_update().get(pk=priority.pk)
        for name, value in values.items():
            setattr(priority, name, value)
        if Priority.objects.filter(commissioner_id=priority.commissioner_id, code=priority.code).exclude(
                pk=priority.pk).exists():
            raise Invalid({"code": "Your plan already has a priority with this code: choose another."})
        validated(priority)
        audited(priority, actor).save()
    return priority


def area_save(*, actor, area: Area | None, values: dict) -> Area:
    """Add an area, or change one that only the actor's funder's projects serve."""
    unknown_fields(values, AREA_FIELDS)
    used = area is not None and reach.area_used_by_others(area, actor.organisation_id)
    require(permissions.can_edit_area(actor, area, used_by_others=used))
    with transaction.atomic():
        if area is None:
            area = Area()
        else:
            kept.figures_moved(row=area)  # the first lock of every change (grants.services.kept)
            area = Area.objects.select_for_update().get(pk=area.pk)
        for name, value in values.items():
            setattr(area, name, value)
        if area.code and Area.objects.filter(code=area.code).exclude(pk=area.pk).exists():
            raise Invalid({"code": "Another area already has this ONS code."})
        validated(area)
        audited(area, actor).save()
    return area
