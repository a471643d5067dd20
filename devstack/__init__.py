"""The development runner behind `make run` and `make test`: embedded PostgreSQL and Redis, the platform's processes.

Not a Django app, and it imports none: it runs before settings can load.
"""
