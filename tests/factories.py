from decimal import Decimal

import factory
from django.utils import timezone

from clearance.choices import ItemCategory
from clearance.models import AddresseeMatchKey, Consignment, ContentLine, Office, PostalOperator
from core import s10
from core.choices import Role
from core.models import User
from core.normalize import party_key
from risk.names import match_keys
from risk.services import inspection_outcome_record


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = "BASJJA"
    name = "Sarajevo international mail office"
    country = "BA"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    office = factory.SubFactory(OfficeFactory)
    password = factory.django.Password("correct-horse-battery")


class PostalOperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostalOperator

    code = factory.Sequence(lambda n: f"OP{n}")
    name = factory.Sequence(lambda n: f"Operator {n}")
    country = "CN"


class ConsignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consignment
        skip_postgeneration_save = True

    operator = factory.SubFactory(PostalOperatorFactory)
    item_id = factory.Sequence(lambda n: s10.make("RB", 10_000_000 + n, "CN"))
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    category = ItemCategory.SALE_OF_GOODS
    sender_name = "Shenzhen Trading Co"
    sender_country = "CN"
    addressee_name = "Amra Hodžić"
    addressee_postcode = "71000"
    addressee_country = "BA"
    gross_weight_kg = Decimal("0.450")
    currency = "USD"
    total_value = Decimal("25.00")
    pre_advised_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def match_keys(self, create, extracted, **kwargs):
        """match_keys=True: the addressee's match keys, as the intake stores them (split shipments find it)."""
        if create and extracted:
            keys = match_keys(
                **{part: getattr(self, f"addressee_{part}") for part in ("address", "city", "phone", "email")},
                name=self.addressee_name,
                postcode=self.addressee_postcode,
                country=self.addressee_country,
            )
            AddresseeMatchKey.objects.bulk_create(
                AddresseeMatchKey(consignment_id=self.pk, key=key, pre_advised_at=self.pre_advised_at) for key in keys
            )

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create:
            return
        for position, spec in enumerate(extracted or [{}], start=1):
            ContentLine.objects.create(
                consignment=self,
                position=position,
                description=spec.get("description", "Cotton T-shirt"),
                quantity=spec.get("quantity", 2),
                net_weight_kg=spec.get("net_weight_kg", Decimal("0.300")),
                value=spec.get("value", self.total_value),
                hs_code=spec.get("hs_code", "610910"),
                origin_country=spec.get("origin_country", "CN"),
            )


def image_upload(name: str = "parcel.png", image_format: str = "PNG", size=(32, 24), content_type: str | None = None):
    """A real image file, as a browser uploads it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    mime = content_type or f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=mime)


def addressee_keys(**addressee) -> dict:
    """Factory arguments for an addressee with the keys the intake stores (postal.intake): its party key and its
    match keys."""
    name, postcode, country = (addressee.get(f"addressee_{part}", "") for part in ("name", "postcode", "country"))
    return {**addressee, "addressee_key": party_key(name=name, postcode=postcode, country=country), "match_keys": True}


def labelled_history(officer: User, n: int = 120) -> None:
    """Inspection outcomes to train on: smart watches from one shop were irregular; T-shirts were in order."""
    for i in range(n):
        risky = i % 3 == 0
        consignment = ConsignmentFactory(
            sender_key="CN|518000|shady watches" if risky else f"CN|510000|shop {i % 7}",
            lines=[{"description": "Smart watch" if risky else "T-shirt", "hs_code": "851762" if risky else "610910"}],
        )
        inspection_outcome_record(
            consignment=consignment,
            officer=officer,
            irregularity_found=risky,
            kind="UNDERVALUATION" if risky else "NONE",
            additional_duty=Decimal("12.00") if risky else Decimal(0),
        )
