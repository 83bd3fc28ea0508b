// Module Archiver: see DESIGN (docs/architecture.md).
