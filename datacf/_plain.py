"""Small immutable value objects described by their fields (edits, samplers): one shared base."""

__all__ = ["Plain"]


class Plain:
    """Equality, hash and repr from the fields in ``_fields``; attributes cannot be replaced once set."""

    _fields = ()

    def _values(self):
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other):
        return type(self) is type(other) and self._values() == other._values()

    def __hash__(self):
        return hash((type(self).__name__, self._values()))

    def __repr__(self):
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({args})"

    def __setattr__(self, name, value):
        if name in self.__dict__:
            raise AttributeError(f"{type(self).__name__} is immutable; build a new one.")
        super().__setattr__(name, value)
