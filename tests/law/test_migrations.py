"""A database migrated by the code before the law app had its own room keeps its law, keys and permissions."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import User
from law.models import DeMinimis, DutyRate, ExchangeRate, Fee, FlatDuty, Regime, RegimeTerms, VatRate
from payments.models import Assessment, SimulationRun
from tests.factories import ConsignmentFactory, UserFactory

# The last migration the old code had: the law's models still in payments, in payments_* tables.
BEFORE = [("payments", "0011_seed_tariffs"), ("law", None)]
LAW = {
    "Regime": Regime,
    "RegimeTerms": RegimeTerms,
    "DeMinimis": DeMinimis,
    "DutyRate": DutyRate,
    "FlatDuty": FlatDuty,
    "VatRate": VatRate,
    "Fee": Fee,
    "ExchangeRate": ExchangeRate,
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _old_models():
    return MigrationExecutor(connection).loader.project_state(BEFORE[0]).apps


def _old_law(old, regime) -> dict:
    """Every law row of the regime, read with the old code's models: {model: [row as a dict]}."""
    rows = {"Regime": list(old.get_model("payments", "Regime").objects.filter(pk=regime).values())}
    for name in LAW:
        if name != "Regime":
            model = old.get_model("payments", name)
            rows[name] = list(model.objects.filter(regime_id=regime).order_by("pk").values())
    return rows


# Fields the law's tables gained after the move, with the value an old row takes.
ADDED_SINCE = {"RegimeTerms": {"fx_max_age_days": 7}}


def _new_law(regime) -> dict:
    rows = {"Regime": list(Regime.objects.filter(pk=regime).values())}
    for name, model in LAW.items():
        if name != "Regime":
            rows[name] = list(model.objects.filter(regime_id=regime).order_by("pk").values())
            for row in rows[name]:
                for field, default in ADDED_SINCE.get(name, {}).items():
                    assert row.pop(field) == default
    return rows


def _law_of_a_new_regime(old) -> int:
    """A regime entered in the admin of the old code, with one row of every kind of law."""

    def model(name):
        return old.get_model("payments", name)

    regime = model("Regime").objects.create(code="ZZ", name="Test territory", currency="EUR", countries=["ZZ"])
    start = {"regime_id": regime.pk, "valid_from": date(2024, 1, 1), "source": "test law"}
    model("RegimeTerms").objects.create(**start, valuation_basis="CIF", low_value_ceiling=Decimal("150"))
    model("DeMinimis").objects.create(**start, kind="DUTY", amount=Decimal("150"), category="GIFT")
    model("DutyRate").objects.create(
        **start, hs_prefix="6109", rate=Decimal("12"), specific_amount=Decimal("3.5"), specific_unit="100kg"
    )
    model("FlatDuty").objects.create(**start, amount=Decimal("3"), max_intrinsic_value=Decimal("150"))
    model("VatRate").objects.create(**start, country="ZZ", rate=Decimal("21"))
    model("Fee").objects.create(**start, name="Handling", basis="PER_ITEM", amount=Decimal("2"))
    model("ExchangeRate").objects.create(
        **start, currency="USD", units_per_regime_unit=Decimal("1.08"), published_on=date(2023, 12, 27)
    )
    return regime.pk


def _regime_key_target(table: str) -> str:
    """The table the foreign key on `table`.regime_id points at, as PostgreSQL holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
            "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'regime_id')]::smallint[]",
            [table, table],
        )
        return cursor.fetchone()[0]


@pytest.mark.slow  # loads whole tariffs or trains and back-tests: make test runs it, test-fast not
@pytest.mark.django_db(transaction=True)
def test_law_rows_keys_and_permissions_survive_the_move_forwards_and_backwards():
    consignment = ConsignmentFactory()
    officer = UserFactory(role="SUPERVISOR")
    _migrate(BEFORE)
    try:
        old = _old_models()
        regime = _law_of_a_new_regime(old)
        assessment = old.get_model("payments", "Assessment").objects.create(
            consignment_id=consignment.pk,
            number=1,
            consignment_version=1,
            regime_id=regime,
            assessed_on=date(2024, 6, 1),
            currency="EUR",
            total=Decimal("7.20"),
            created_by="test",
        )
        run = old.get_model("payments", "SimulationRun").objects.create(
            regime_id=regime, start=date(2024, 1, 1), end=date(2024, 1, 31), created_by_id=officer.pk
        )
        law_before = _old_law(old, regime)
        counts_before = {name: old.get_model("payments", name).objects.count() for name in LAW}
        duty_type = ContentType.objects.get(app_label="payments", model="dutyrate")
        officer.user_permissions.add(Permission.objects.get(content_type=duty_type, codename="change_dutyrate"))

        _migrate(None)

        assert _new_law(regime) == law_before
        assert {name: model.objects.count() for name, model in LAW.items()} == counts_before
        assert Assessment.objects.get(pk=assessment.pk).regime.code == "ZZ"
        assert SimulationRun.objects.get(pk=run.pk).regime.code == "ZZ"
        assert _regime_key_target("payments_assessment") == "law_regime"
        assert _regime_key_target("payments_simulationrun") == "law_regime"
        assert _regime_key_target("law_dutyrate") == "law_regime"
        assert Regime._meta.db_table == "law_regime"
        assert ContentType.objects.get(pk=duty_type.pk).app_label == "law"
        assert not ContentType.objects.filter(app_label="payments", model__in=[m.lower() for m in LAW]).exists()
        assert User.objects.get(pk=officer.pk).has_perm("law.change_dutyrate")

        _migrate(BEFORE)  # and back: the old code finds its rows where it left them
        assert _old_law(_old_models(), regime) == law_before
        assert ContentType.objects.get(pk=duty_type.pk).app_label == "payments"
    finally:
        _migrate(None)
