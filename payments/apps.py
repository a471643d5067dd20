from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        # The law's change previews ask what a change does to real items; assessing them is payments' work.
        from law.effects import effect_register
        from payments.law_effect import law_change_effect

        effect_register(law_change_effect)
