import Archiver
import Foundation
import SQLiteStore
import Testing
import TestSupport

/// `clean-up`'s decisions: what is safe to remove, and the unpublished downloads it keeps without `force`.
@Suite struct StagingCleanerTests {
    /// A cache with one staging folder of each kind, and an output folder holding one finished item.
    struct Fixture {
        let temp: TemporaryDirectory
        var cache: String { temp.file("cache") }
        var output: String { temp.file("output") }
        var onlyLogs: String { cache + "/mapillary-nobody-256-webp" }
        var published: String { cache + "/mapillary-alice-256-webp" }
        var unpublished: String { cache + "/mapillary-bob-256-webp" }
        var stale: String { cache + "/mapillary-carol-256-webp" }

        init() throws {
            temp = try TemporaryDirectory("cleaner")
            let fm = FileManager.default
            for folder in [onlyLogs, published, unpublished, stale] {
                try fm.createDirectory(atPath: folder + "/.mapillary-archiver", withIntermediateDirectories: true)
            }
            try Data("run log".utf8).write(to: URL(fileURLWithPath: onlyLogs + "/download.log.20250101-000000"))
            try fm.createDirectory(atPath: output + "/mapillary-alice-256-webp", withIntermediateDirectories: true)
            try Data(count: 1024).write(to: URL(fileURLWithPath: published + "/2020-01-01.tar"))
            try Self.commitImages(3, staging: unpublished)
            try Data(count: 2048).write(to: URL(fileURLWithPath: unpublished + "/2020-01-01.tar"))
            try Data("notes".utf8).write(to: URL(fileURLWithPath: stale + "/notes.txt"))
            let old = Date().addingTimeInterval(-10 * 86_400)
            for path in [stale, stale + "/notes.txt", stale + "/.mapillary-archiver"] {
                try fm.setAttributes([.modificationDate: old], ofItemAtPath: path)
            }
        }

        /// A download state with `count` images committed as done (as an interrupted run leaves it).
        static func commitImages(_ count: Int, staging: String) throws {
            let database = try SQLiteDatabase(path: staging + "/.mapillary-archiver/state.sqlite")
            defer { database.close() }
            let state = try DownloadState(database: database)
            let listed = (0..<count).map {
                DownloadState.Listed(
                    id: "10\($0)", raw: Array("{\"id\":\"10\($0)\"}".utf8), captureDate: "2020-01-01",
                    capturedAtMillis: 1_577_836_800_000, sequence: "s", thumbURL: nil)
            }
            try state.recordPage(listed, next: nil)
            try state.commit(
                listed.map {
                    .init(
                        id: $0.id, container: "2020-01-01.tar", endOffset: 1024, bytes: 100,
                        md5: String(repeating: "0", count: 32), format: "webp")
                },
                tars: [.init(name: "2020-01-01.tar", committedLength: 2048, md5State: nil)])
        }
    }

    @Test func logsOnlyAndPublishedFoldersGoUnpublishedImagesStayWithoutForce() throws {
        let f = try Fixture()
        defer { f.temp.remove() }
        let survey = StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output).survey()
        let byPath = Dictionary(uniqueKeysWithValues: survey.map { ($0.path, $0) })
        #expect(byPath[f.onlyLogs]?.reason == .onlyLogs && byPath[f.onlyLogs]?.keptBecause == nil)
        #expect(byPath[f.published]?.reason == .published && byPath[f.published]?.keptBecause == nil)
        #expect(byPath[f.unpublished]?.reason == nil)
        #expect(byPath[f.unpublished]?.unpublishedImages == 3)
        #expect(byPath[f.stale]?.keptBecause == "in progress or waiting to be finished", "not old without a limit")

        let removed = try StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output).remove(survey)
        #expect(Set(removed.map(\.path)) == [f.onlyLogs, f.published])
        #expect(
            !FileManager.default.fileExists(atPath: f.onlyLogs) && !FileManager.default.fileExists(atPath: f.published))
        #expect(FileManager.default.fileExists(atPath: f.unpublished + "/2020-01-01.tar"))
        #expect(
            FileManager.default.fileExists(atPath: f.output + "/mapillary-alice-256-webp"),
            "the item itself is never touched")
    }

    @Test func anAgeLimitRemovesOldFoldersButKeepsUnpublishedImagesUnlessForced() throws {
        let f = try Fixture()
        defer { f.temp.remove() }
        let week = StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output, olderThan: 7 * 86_400)
        let survey = week.survey()
        #expect(survey.first { $0.path == f.stale }?.reason == .old)
        #expect(survey.first { $0.path == f.unpublished }?.reason == nil, "touched just now")

        let everything = StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output, olderThan: 0)
        let all = everything.survey(now: Date().addingTimeInterval(60))
        let bob = try #require(all.first { $0.path == f.unpublished })
        #expect(bob.reason == .old)
        #expect(
            bob.keptBecause
                == "3 archived images were never published (run the same download again to finish it, or use --force)")
        _ = try everything.remove(all)
        #expect(FileManager.default.fileExists(atPath: f.unpublished), "kept without force")
        #expect(!FileManager.default.fileExists(atPath: f.stale))

        // Reading a folder's state does not make it look recent to the next survey.
        let old = Date().addingTimeInterval(-10 * 86_400)
        for name in ["", "/2020-01-01.tar", "/.mapillary-archiver", "/.mapillary-archiver/state.sqlite"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: f.unpublished + name)
        }
        #expect(week.survey().first { $0.path == f.unpublished }?.reason == .old)
        #expect(week.survey().first { $0.path == f.unpublished }?.reason == .old, "still old after a survey read it")

        let forced = StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output, olderThan: 0, force: true)
        let removed = try forced.remove(forced.survey(now: Date().addingTimeInterval(60)))
        #expect(removed.map(\.path) == [f.unpublished])
        #expect(!FileManager.default.fileExists(atPath: f.unpublished))
    }

    @Test func aFolderAnotherProcessIsWorkingOnIsKeptEvenWithForce() throws {
        let f = try Fixture()
        // What a running download holds: an flock on the folder's lock file (a second open file description
        // conflicts with it even inside one process).
        let fd = open(f.onlyLogs + "/.mapillary-archiver/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let cleaner = StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output, olderThan: 0, force: true)
        let survey = cleaner.survey(now: Date().addingTimeInterval(60))
        #expect(
            survey.first { $0.path == f.onlyLogs }?.keptBecause == "another mapillary-archiver process is working on it"
        )
        _ = try cleaner.remove(survey)
        #expect(FileManager.default.fileExists(atPath: f.onlyLogs + "/download.log.20250101-000000"))
        #expect(!FileManager.default.fileExists(atPath: f.published), "the others still go")
    }

    @Test func imagesOfALaterRunNotYetMergedIntoThePublishedItemStayWithoutForce() throws {
        let f = try Fixture()
        // Alice's item is in the output folder; her staging folder holds an update: 2 images merged before, 5 now.
        try Fixture.commitImages(5, staging: f.published)
        let database = try SQLiteDatabase(path: f.published + "/.mapillary-archiver/state.sqlite")
        try DownloadState(database: database).setValue("published_done", "2")
        database.close()
        let cleaner = StagingCleaner(cacheDirectory: f.cache, outputDirectory: f.output)
        let alice = try #require(cleaner.survey().first { $0.path == f.published })
        #expect(alice.reason == .published)
        #expect(alice.unpublishedImages == 3)
        #expect(
            alice.keptBecause
                == "3 archived images were never published (run the same download again to finish it, or use --force)")
        _ = try cleaner.remove([alice])
        #expect(FileManager.default.fileExists(atPath: f.published + "/2020-01-01.tar"))
    }
}
