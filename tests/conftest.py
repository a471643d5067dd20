import pytest

from core.actors import Actor
from tests.factories import ConsignmentFactory, PostalOperatorFactory, UserFactory


@pytest.fixture
def operator(db):
    return PostalOperatorFactory()


@pytest.fixture
def officer(db):
    return UserFactory(role="OFFICER")


@pytest.fixture
def officer_actor(officer):
    return Actor.for_user(officer)


@pytest.fixture
def consignment(operator):
    return ConsignmentFactory(operator=operator)


@pytest.fixture
def api_key(operator):
    from postal.services import api_key_issue

    _, raw_key = api_key_issue(operator=operator)
    return raw_key


@pytest.fixture
def operator_client(api_key):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    return client


@pytest.fixture
def other_operator_client(db):
    from rest_framework.test import APIClient

    from postal.services import api_key_issue

    _, raw_key = api_key_issue(operator=PostalOperatorFactory(code="OTHER"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture(autouse=True)
def regulatory_data(request):
    """The seeded duty law and exchange rates, restored after a transactional test flushed them.

    The data migration seeds them once per test database; a test with
    transaction=True empties every table when it ends.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    from django.apps import apps

    from payments import seed
    from payments.models import Regime

    def get_model(name):
        return apps.get_model("payments", name)

    if not Regime.objects.exists():
        seed.seed_regimes(get_model)
        seed.seed_exchange_rates(get_model)
