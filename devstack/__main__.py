import sys

from devstack.runner import main

sys.exit(main())
