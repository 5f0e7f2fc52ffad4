"""The CAI data model and its stores: interface, schemas, scope, local and remote."""
