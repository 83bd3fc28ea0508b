// Module SQLiteStore: see DESIGN (docs/architecture.md).
