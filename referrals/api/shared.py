"""The mark of a partner-facing serializer (the schema extension loads with this module)."""

from drf_spectacular.extensions import OpenApiSerializerExtension


class SharedSchema:
    """Marks a partner-facing serializer: its schema is closed (additionalProperties false),
    stating in the API's contract that a partner gets these fields and nothing more."""


class SharedSchemaExtension(OpenApiSerializerExtension):
    target_class = SharedSchema
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema
