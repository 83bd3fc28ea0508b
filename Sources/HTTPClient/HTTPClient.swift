// Module HTTPClient: see DESIGN (docs/architecture.md).
