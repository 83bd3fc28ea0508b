import Essentials

/// What IA's metadata API says about an item.
public struct RemoteItem: Sendable {
    /// One entry of the item's `files` list.
    public struct File: Sendable, Equatable {
        public let name: String
        public let md5: String?
        public let size: Int64?
        public let mtime: Int64?
        /// `original`, `derivative` or `metadata`.
        public let source: String?
    }

    public let identifier: String
    /// Item metadata (repeated fields as lists); nil for a dark item.
    public let metadata: [String: [String]]?
    public let files: [File]

    /// True when IA hides the item (no `metadata` in the answer, or `is_dark`).
    public let isDark: Bool

    /// True when the item exists and can be seen: it has metadata and is not dark.
    public var exists: Bool { !isDark }

    /// The file named `name`, if IA lists it.
    public func file(named name: String) -> File? {
        files.first { $0.name == name }
    }

    /// Reads a metadata API answer; nil for `{}` (no such item). Throws `.badAnswer` for anything but an object.
    static func parse(_ body: [UInt8], identifier: String) throws -> RemoteItem? {
        guard let object = JSONValue.archiveObject(body) else {
            throw InternetArchiveError(
                .badAnswer,
                "archive.org's metadata API answered something that is not JSON "
                    + "for \(identifier); check --archive-url and try again later")
        }
        if object.isEmpty { return nil }
        var metadata: [String: [String]]?
        if let fields = object["metadata"]?.objectValue { metadata = fields.mapValues(\.texts) }
        let darkFlag = object["is_dark"].map { $0.boolValue == true || $0.scalarText == "true" } ?? false
        let files = (object["files"]?.arrayValue ?? []).compactMap { entry -> File? in
            guard let name = entry["name"]?.scalarText else { return nil }
            return File(
                name: name, md5: entry["md5"]?.scalarText?.lowercased(), size: entry["size"]?.integerValue,
                mtime: entry["mtime"]?.integerValue, source: entry["source"]?.scalarText)
        }
        return RemoteItem(
            identifier: identifier, metadata: metadata, files: files,
            isDark: metadata == nil || darkFlag)
    }
}
