import Essentials

/// `mapillary-archiver package DIR`: turns any folder into an IA item at `{output}/{identifier}`.
///
/// Date folders (or top-level folders) become tars whose members keep their files' own mtimes,
/// sorted bytewise with fixed owners and modes, so the same input gives byte-identical tars.
/// Other files are carried as they are (hard-linked when on the same file system, else copied);
/// top-level dot entries are not carried, except that an input `.meta` is the base of the new
/// one. The item is built in a dot-prefixed folder in the output and appears with one rename; the
/// input is never changed. The identifier defaults to the input folder's name as given.
/// Blocking: call it from a thread of its own, or use the `async` form.
public enum FolderPackager {
    /// Packages `input` and returns the published item.
    public static func package(_ input: String, options: PackageOptions) throws -> PackageResult {
        guard let root = FileTree.realPath(input), try FileTree.entry(root)?.kind == .directory else {
            throw PackagingError(.badInput, "\(input) is not a folder; give package the folder to turn into an item")
        }
        // The name as typed (a link keeps its own name), unless that is "." or "..".
        let typed = FileTree.baseName(input)
        let identifier = options.identifier ?? (typed == "." || typed == ".." ? FileTree.baseName(root) : typed)
        if let reason = IdentifierRule.validate(identifier) {
            let hint =
                options.identifier == nil ? "rename the folder or pass --identifier" : "choose another --identifier"
            throw PackagingError(.badIdentifier, reason + "; " + hint)
        }
        try DurableFile.makeDirectories(options.output)
        guard let output = FileTree.realPath(options.output) else {
            throw PackagingError(.badInput, "the output folder \(options.output) cannot be opened; check its path")
        }
        if output == root || output.hasPrefix(root + "/") {
            throw PackagingError(
                .badInput,
                "the output folder \(output) is inside the folder being packaged; choose an output outside \(root)")
        }
        let target = output + "/" + identifier
        if try FileTree.entry(target) != nil {
            throw PackagingError(
                .outputExists,
                "the item \(target) already exists; move it away or choose another output folder or identifier")
        }

        let plan = try plan(root: root, grouping: options.tarBy)
        let metadata = try metadata(for: plan, identifier: identifier, root: root, options: options)
        let partial = output + "/." + identifier + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileTree.makeDirectory(partial)
        do {
            let progress = ProgressCounter(plan: plan, callback: options.progress)
            let tars = try writeTars(plan.tars, into: partial, progress: progress)
            let carried = try carry(plan.carried, from: root, into: partial, progress: progress)
            var notes: [String] = []
            if options.makeThumbnail && !plan.carried.contains(where: { $0.relative == thumbnailName }) {
                if let note = try makeThumbnail(from: plan.images, into: partial) { notes.append(note) }
            }
            try MetaFolder.write(metadata, toItem: partial)
            try ItemManifest.build(item: partial, known: tars).write(toItem: partial)
            try FileTree.syncDirectory(partial)
            let item = try ItemPublisher.publish(staging: partial, output: output, identifier: identifier)
            return PackageResult(
                item: item, identifier: identifier, tars: tars, carried: carried,
                imageCount: plan.images.count, metadata: metadata, notes: notes)
        } catch {
            try? FileTree.removeTree(partial)
            throw error
        }
    }

    /// The async form: runs ``package(_:options:)`` on a thread of its own, off the cooperative pool.
    public static func package(_ input: String, options: PackageOptions) async throws -> PackageResult {
        try await DedicatedThread.run(name: "packaging") { try package(input, options: options) }
    }

    /// The thumbnail's file name at the top of an item.
    public static let thumbnailName = "__ia_thumb__.jpg"

    /// The input's `.meta` (with overrides), or the templates rendered with facts from the folder.
    private static func metadata(
        for plan: FolderPlan, identifier: String, root: String,
        options: PackageOptions
    ) throws -> ItemMetadata {
        if let metaFolder = plan.metaFolder {
            do {
                return try MetaFolder.read(folder: metaFolder).applying(options.metaOverrides)
            } catch let error as PackagingError {
                throw PackagingError(
                    .badMetadata,
                    "the input's .meta cannot be used: \(error.description); fix it or remove it to use the templates")
            }
        }
        let templates = try options.templates ?? ItemTemplates.resolve(templateDirectory: options.templateDirectory)
        return try templates.render(facts(identifier: identifier, plan: plan, root: root)).applying(
            options.metaOverrides)
    }

    /// Hard-links (same file system) or copies each carried file, creating its folders.
    private static func carry(
        _ files: [FolderPlan.File], from root: String, into folder: String,
        progress: ProgressCounter
    ) throws -> [String] {
        var linking = true
        var madeFolders: Set<String> = []
        for file in files {
            let parts = file.relative.split(separator: "/").dropLast()
            var current = folder
            for part in parts {
                current += "/" + part
                if madeFolders.insert(current).inserted { try FileTree.makeDirectory(current) }
            }
            let target = folder + "/" + file.relative
            if linking && link(file.source, target) == 0 {
                progress.addBytes(Int(file.size))
            } else {
                if linking, errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP {
                    throw FileError(operation: "link", path: target, errno: errno)
                }
                linking = false
                try FileTree.copyFile(file.source, to: target)
                progress.addBytes(Int(file.size))
            }
            progress.fileDone()
        }
        for made in madeFolders.sorted(by: { $0.count > $1.count }) { try FileTree.syncDirectory(made) }
        return files.map(\.relative)
    }
}
