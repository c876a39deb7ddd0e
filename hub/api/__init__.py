"""The REST API's shared plumbing (errors, pagination, caching headers, limits) and its
root, which mounts each app's `api.py`. Apps' API code lives in the apps."""
