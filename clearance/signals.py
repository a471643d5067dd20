"""What the clearance app announces; higher apps listen (clearance imports none of them).

`decisions_committed` is sent once the transaction that recorded customs
decisions has committed, with the operators that got new responses: the
postal app pushes them to the operators' webhooks.
"""

from django.dispatch import Signal

decisions_committed = Signal()  # sender: the clearance.services module; operator_ids: list[int]
