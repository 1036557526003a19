"""One module per local tool; each registers its endpoints with `apis.rest.framework.api`."""
