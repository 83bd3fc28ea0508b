// Module Imaging: see DESIGN (docs/architecture.md).
