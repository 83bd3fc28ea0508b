/// How ``FolderPackager`` groups a folder's files into tars.
public enum TarGrouping: Sendable, Equatable {
    /// One tar per top-level `YYYY-MM-DD` / `unknown-date` folder; other entries are carried as they are.
    case date
    /// One tar per top-level folder; top-level files are carried as they are.
    case topLevel
    /// No tars: every file is carried as it is.
    case none
}

/// What `mapillary-archiver package` was asked to do.
public struct PackageOptions: Sendable {
    /// The folder the item is written into, as `{output}/{identifier}` (created if missing).
    public var output: String
    /// The IA identifier; nil means the input folder's name.
    public var identifier: String?
    /// The tar grouping; nil means `.date` when the folder has date folders, else `.topLevel`.
    public var tarBy: TarGrouping?
    /// `--meta KEY=VALUE` overrides, applied last.
    public var metaOverrides: [MetaOverride]
    /// Templates to render when the input has no `.meta`; nil means ``ItemTemplates/resolve(templateDirectory:environment:executablePath:)``
    /// with ``templateDirectory``.
    public var templates: ItemTemplates?
    /// `--template-dir`.
    public var templateDirectory: String?
    /// Make `__ia_thumb__.jpg` from the first image when the folder has none.
    public var makeThumbnail: Bool
    /// Called after each file (and every 16 MiB within large ones), from the packaging threads:
    /// tars are written in parallel, so calls may come from more than one thread.
    public var progress: (@Sendable (PackageProgress) -> Void)?

    public init(
        output: String, identifier: String? = nil, tarBy: TarGrouping? = nil, metaOverrides: [MetaOverride] = [],
        templates: ItemTemplates? = nil, templateDirectory: String? = nil, makeThumbnail: Bool = true,
        progress: (@Sendable (PackageProgress) -> Void)? = nil
    ) {
        self.output = output
        self.identifier = identifier
        self.tarBy = tarBy
        self.metaOverrides = metaOverrides
        self.templates = templates
        self.templateDirectory = templateDirectory
        self.makeThumbnail = makeThumbnail
        self.progress = progress
    }
}

/// How far packaging has got: files and bytes done of the totals.
public struct PackageProgress: Sendable, Equatable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int64
    public var bytesTotal: Int64

    public init(filesDone: Int, filesTotal: Int, bytesDone: Int64, bytesTotal: Int64) {
        self.filesDone = filesDone
        self.filesTotal = filesTotal
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
    }
}

/// A published item.
public struct PackageResult: Sendable {
    /// The item folder: `{output}/{identifier}`.
    public let item: String
    public let identifier: String
    /// Each tar's name with its size and MD5.
    public let tars: [String: FileSummary]
    /// Relative paths of the files carried into the item as they are.
    public let carried: [String]
    /// The number of image files (`.jpg`, `.jpeg`, `.webp`) in the item.
    public let imageCount: Int
    /// The metadata written to `.meta`.
    public let metadata: ItemMetadata
    /// Things the user may want to know that are not errors (e.g. why there is no thumbnail).
    public let notes: [String]
}
