import Foundation

/// A fresh folder under the system temp folder, removed by ``remove()`` (tests call it in `defer`).
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "test") throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let template = base + "/mapillary-archiver-\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: made)
    }

    /// A path inside the folder.
    public func file(_ relative: String) -> String { path + "/" + relative }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
