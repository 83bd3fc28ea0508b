// Module Mapillary: see DESIGN (docs/architecture.md).
