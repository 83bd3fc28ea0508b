import Packaging

/// MD5s recorded by `package` or `download` in the item's ``ItemManifest``, usable while a file's size and
/// mtime still match, so upload needs no hashing pass for them.
struct ManifestMD5s: Sendable {
    private let entries: [String: ItemManifest.Entry]

    /// Reads `{item}/.mapillary-archiver/manifest.json`; an item without one gives an empty lookup.
    /// A damaged manifest is not an error (the files are hashed instead); its sentence goes to `warning`.
    init(item: String, warning: (String) -> Void) {
        do {
            let manifest = try ItemManifest.read(item: item)
            var entries: [String: ItemManifest.Entry] = [:]
            for entry in manifest?.files ?? [] { entries[entry.name] = entry }
            self.entries = entries
        } catch {
            warning("the manifest of \(item) cannot be used (\(error)); its files will be hashed instead")
            self.entries = [:]
        }
    }

    /// The recorded MD5 of `file`, when size and mtime match the recording.
    func md5(_ file: ItemFile) -> String? {
        guard let entry = entries[file.key], entry.size == file.size, entry.mtime == file.mtime else { return nil }
        return entry.md5
    }
}
