from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Requests for information, permits and other agencies"

    def ready(self) -> None:
        # The risk engine asks the permit registers through the check it declares (risk.permits);
        # the models these modules use are ready only now.
        from agencies.permits import permit_check
        from risk.permits import permit_checker_register  # the registry, imported once apps are ready

        permit_checker_register(permit_check)
