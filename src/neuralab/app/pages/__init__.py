"""One module per page. A built page exposes ``SPEC`` (its ParamSpec) and ``layout(values, messages)``."""
