extension FolderPackager {
    /// Lists the input and decides what goes where. Refuses (one sentence naming the entry) links
    /// that leave the folder or point to folders, entries that are neither files nor folders,
    /// unreadable folders, and tar members whose names are not ASCII-safe.
    static func plan(root: String, grouping requested: TarGrouping?) throws -> FolderPlan {
        var plan = FolderPlan()
        let top = try FileTree.names(in: root)
        if top.contains(MetaFolder.name), try FileTree.entry(root + "/" + MetaFolder.name)?.kind == .directory {
            plan.metaFolder = root + "/" + MetaFolder.name
        }
        let visible = top.filter { !$0.hasPrefix(".") }
        var kinds: [String: FileTree.Entry] = [:]
        for name in visible { kinds[name] = try resolvedEntry(root: root, relative: name) }
        plan.dateFolders = visible.filter { kinds[$0]?.kind == .directory && ItemNaming.isDateFolderName($0) }
        plan.grouping = requested ?? (plan.dateFolders.isEmpty ? .topLevel : .date)

        var tarFolders: [String] = []
        for name in visible {
            guard let entry = kinds[name] else { continue }
            switch entry.kind {
            case .file:
                plan.carried.append(.init(relative: name, source: root + "/" + name, size: entry.size))
            case .directory:
                let tarred = plan.grouping == .topLevel || (plan.grouping == .date && ItemNaming.isDateFolderName(name))
                if tarred {
                    tarFolders.append(name)
                } else {
                    plan.carried += try files(root: root, under: name, checkNames: false)
                }
            case .symlink, .other:
                throw notAFile(root + "/" + name)
            }
        }
        let carriedTop = Set(plan.carried.map { String($0.relative.split(separator: "/").first ?? "") })
        var takenTarNames = carriedTop
        for name in tarFolders {
            let members = try files(root: root, under: name, checkNames: true)
            guard !members.isEmpty else { continue }
            let tarName = ItemNaming.tarName(date: name, avoiding: takenTarNames)
            if let problem = MemberName.tarFileProblem(tarName) { throw PackagingError(.unsafeName, problem) }
            takenTarNames.insert(tarName)
            plan.tars.append(.init(name: tarName, files: members))
        }
        plan.tars.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        guard !plan.allFiles.isEmpty else {
            throw PackagingError(
                .badInput,
                "the folder \(root) has no files to package; point package at the folder that holds the images")
        }
        return plan
    }

    /// Every regular file under `relative` (recursively), sorted bytewise by path.
    private static func files(root: String, under relative: String, checkNames: Bool) throws -> [FolderPlan.File] {
        var out: [FolderPlan.File] = []
        for name in try FileTree.names(in: root + "/" + relative) {
            let child = relative + "/" + name
            let entry = try resolvedEntry(root: root, relative: child)
            switch entry.kind {
            case .directory:
                out += try files(root: root, under: child, checkNames: checkNames)
            case .file:
                if checkNames, let problem = MemberName.problem(child) {
                    throw PackagingError(.unsafeName, problem + " (in \(root)); tar members must be ASCII-safe")
                }
                out.append(.init(relative: child, source: root + "/" + child, size: entry.size))
            case .symlink, .other:
                throw notAFile(root + "/" + child)
            }
        }
        return out.sorted { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
    }

    /// The entry at `relative`, with a symlink resolved when it stays inside `root` and points to a file.
    private static func resolvedEntry(root: String, relative: String) throws -> FileTree.Entry {
        let path = root + "/" + relative
        guard let entry = try FileTree.entry(path) else {
            throw PackagingError(
                .badInput, "\(path) disappeared while the folder was being read; run again once nothing changes it")
        }
        guard entry.kind == .symlink else { return entry }
        guard let target = FileTree.realPath(path) else {
            throw PackagingError(.badInput, "the link \(path) points to nothing; remove it or replace it with the file")
        }
        guard target.hasPrefix(root + "/") else {
            throw PackagingError(
                .badInput,
                "the link \(path) points outside the folder (to \(target)); replace it with a copy of the file")
        }
        guard let followed = try FileTree.followedEntry(path), followed.kind == .file else {
            throw PackagingError(.badInput, "the link \(path) points to a folder; replace it with the folder itself")
        }
        return followed
    }

    private static func notAFile(_ path: String) -> PackagingError {
        PackagingError(.badInput, "\(path) is not a regular file or folder; remove it or replace it with a file")
    }
}
