"""Names of the law's shipped data that people read (regimes, fees), so they read in the reader's language.

They are data (law.seed writes them; an administration adds its own), shown
through gettext where a translation exists: `{{ name|translated }}`, or
`gettext(name)`. A name an administration gives stays as it wrote it.
"""

from django.utils.translation import gettext_noop

SHIPPED_NAMES = (
    gettext_noop("European Union"),
    gettext_noop("United Kingdom"),
    gettext_noop("United States"),
    gettext_noop("Bosnia and Herzegovina"),
    gettext_noop("EU customs handling fee"),
    gettext_noop("Royal Mail fee"),
)
