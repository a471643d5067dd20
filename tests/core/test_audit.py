import pytest
from django.db import DatabaseError, transaction

from clearance import transitions as T
from clearance.services import consignments_transition
from core.actors import Actor
from core.models import AuditEntry
from tests.factories import ConsignmentFactory


@pytest.fixture
def entry(db):
    consignment = ConsignmentFactory()
    consignments_transition(transition=T.AMEND, consignment_ids=[consignment.pk], actor=Actor.system("tests"))
    return AuditEntry.objects.get(target_id=consignment.pk)


def test_the_database_refuses_to_update_an_audit_entry(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.refresh_from_db()
    assert entry.reason == ""


def test_the_database_refuses_to_delete_an_audit_entry(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
