"""What Django's error page may show of the settings when DEBUG is on."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# user:password@ in any URL (DATABASE_URL, REDIS_URL, a cache's LOCATION, the broker's URL).
CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/\s]*):(?P<password>[^@/\s]+)@", re.I)


class OpenClearExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, and passwords inside URLs masked wherever a setting carries one."""

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            return CREDENTIALS.sub(rf"\g<scheme>\g<user>:{self.cleansed_substitute}@", value)
        return value
