/// What ``FolderPackager`` found in the input folder: the tars to write and the files to carry.
struct FolderPlan {
    /// One regular file of the input.
    struct File {
        /// Path relative to the input (also the tar member name, or the carried file's name).
        let relative: String
        /// The file to read (a link inside the folder is read through its target).
        let source: String
        let size: Int64
    }

    struct Tar {
        let name: String
        let files: [File]
    }

    var tars: [Tar] = []
    var carried: [File] = []
    var grouping: TarGrouping = .date
    /// Names of top-level date folders (`YYYY-MM-DD`, `unknown-date`) seen.
    var dateFolders: [String] = []
    /// The input's `.meta` folder, if it has one.
    var metaFolder: String?

    var allFiles: [File] { tars.flatMap(\.files) + carried }

    /// The image files (by extension, not counting the thumbnail), sorted bytewise by relative path.
    var images: [File] {
        allFiles.filter { Self.isImage($0.relative) && $0.relative != FolderPackager.thumbnailName }.sorted {
            $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8)
        }
    }

    static func isImage(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") || lower.hasSuffix(".webp")
    }
}
