// Module Sandbox: see DESIGN (docs/architecture.md).
