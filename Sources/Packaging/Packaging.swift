// Module Packaging: see DESIGN (docs/architecture.md).
