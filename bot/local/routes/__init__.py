"""The Discord double's REST routes, one module per area (each a mixin of the double)."""
