"""Bootstrap the first coordinator on a new installation and print their invitation link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shelter.accounts import services
from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role


class Command(BaseCommand):
    help = "Create a coordinator (and the municipality organisation if needed); print the link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument("--municipality", default="Gemeente",
                            help="name of the municipality organisation")
        parser.add_argument("--site-url", default="https://localhost",
                            help="base URL to print the invitation link with")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError("A user with this e-mail address already exists.")
        organisation = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).first()
        if organisation is None:
            organisation = services.organisation_create(
                name=options["municipality"], kind=Organisation.Kind.MUNICIPALITY,
                acting_user=None)
        _user, path = services.user_invite(email=email, full_name=options["full_name"],
                                           role=Role.COORDINATOR, organisation=organisation,
                                           acting_user=None)
        self.stdout.write("Coordinator created. Open this link once to choose a password:")
        self.stdout.write(options["site_url"].rstrip("/") + path)
