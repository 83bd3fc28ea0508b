// Module InternetArchive: see DESIGN (docs/architecture.md).
