"""Putting the app's background work on the queue, called once the writes commit.

The tasks (payments.tasks) call the services that call these functions, so each
function imports its task when it runs: the one import that goes back up the
app's own modules, and the architecture test allows it because it says why.
"""

from __future__ import annotations

CHUNK = 500


def charges_due_mail(consignment_ids: list[int]) -> None:
    # Late: payments.tasks imports the services that call this.
    from payments.tasks import notify_charges_due

    for start in range(0, len(consignment_ids), CHUNK):
        notify_charges_due.delay(consignment_ids[start : start + CHUNK])


def payment_received_mail(payment_id: int) -> None:
    # Late: payments.tasks imports the services that call this.
    from payments.tasks import notify_payment_received

    notify_payment_received.delay(payment_id)


def case_mail(case_id: int, step: str) -> None:
    # Late: payments.tasks imports the services that call this.
    from payments.tasks import notify_case

    notify_case.delay(case_id, step)


def simulation_run(run_id: int) -> None:
    # Late: payments.tasks imports the simulator that calls this.
    from payments.tasks import simulation_run as simulation_run_task

    simulation_run_task.delay(run_id)
