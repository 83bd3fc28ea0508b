import Foundation
import Packaging
import Testing
import TestSupport

struct TarShelfTests {
    @Test func tenTarsThroughTwoOpenSlotsKeepEveryMemberInOrder() throws {
        let dir = try TemporaryDirectory("shelf")
        defer { dir.remove() }
        let shelf = TarShelf(directory: dir.path, maxOpen: 2)
        let dates = (1...10).map { String(format: "2024-01-%02d", $0) }
        var expected: [String: [String]] = [:]
        for round in 0..<3 {
            for (i, date) in dates.enumerated() {
                let member = "\(date)/seq\(round)/\(i * 10 + round).webp"
                let end = try shelf.append(
                    tar: date + ".tar", member: member,
                    bytes: Files.bytes(600 + i * 37 + round, seed: UInt64(i * 10 + round)),
                    mtime: 1_700_000_000 + Int64(round))
                #expect(end % 512 == 0)
                #expect(shelf.openTars <= 2)
                expected[date + ".tar", default: []].append(member)
            }
        }
        try shelf.syncAll()
        let lengths = try dates.map { try #require(try shelf.state(of: $0 + ".tar")).length }
        let finished = try shelf.finishAll()
        #expect(finished.count == 10)
        for (i, date) in dates.enumerated() {
            let tar = dir.file(date + ".tar")
            #expect(try TarListing.members(tar: tar).map(\.name) == expected[date + ".tar"])
            #expect(finished[date + ".tar"]?.md5 == (try TarListing.md5sum(tar)))
            #expect(finished[date + ".tar"]?.size == lengths[i] + 1024)
        }
    }

    @Test func registeredTarsResumeFromTheirCommittedState() throws {
        let dir = try TemporaryDirectory("shelf")
        defer { dir.remove() }
        let first = TarShelf(directory: dir.path, maxOpen: 1)
        try first.append(
            tar: "2024-05-05.tar", member: "2024-05-05/s/1.webp", bytes: Files.bytes(2000, seed: 1), mtime: 1)
        try first.append(
            tar: "unknown-date.tar", member: "unknown-date/2.webp", bytes: Files.bytes(100, seed: 2), mtime: 2)
        try first.syncAll()
        let saved = try ["2024-05-05.tar", "unknown-date.tar"].map { ($0, try #require(try first.state(of: $0))) }
        // Uncommitted work, then a crash: the shelf is dropped without finishing.
        try first.append(
            tar: "2024-05-05.tar", member: "2024-05-05/s/3.webp", bytes: Files.bytes(900, seed: 3), mtime: 3)

        let second = TarShelf(directory: dir.path, maxOpen: 1)
        for (name, state) in saved {
            try second.register(name: name, committedLength: state.length, md5State: state.md5State)
        }
        try second.append(
            tar: "2024-05-05.tar", member: "2024-05-05/s/4.webp", bytes: Files.bytes(10, seed: 4), mtime: 4)
        let finished = try second.finishAll()
        #expect(
            try TarListing.members(tar: dir.file("2024-05-05.tar")).map(\.name) == [
                "2024-05-05/s/1.webp", "2024-05-05/s/4.webp",
            ])
        #expect(try TarListing.members(tar: dir.file("unknown-date.tar")).map(\.name) == ["unknown-date/2.webp"])
        for (name, summary) in finished {
            #expect(summary.md5 == (try TarListing.md5sum(dir.file(name))))
        }
    }

    @Test func aFinishedTarIsNeverReopened() throws {
        let dir = try TemporaryDirectory("shelf")
        defer { dir.remove() }
        let shelf = TarShelf(directory: dir.path)
        try shelf.append(tar: "2024-01-01.tar", member: "2024-01-01/1.jpg", bytes: [1, 2], mtime: 0)
        let summary = try shelf.finish("2024-01-01.tar")
        let error = #expect(throws: PackagingError.self) {
            try shelf.append(tar: "2024-01-01.tar", member: "2024-01-01/2.jpg", bytes: [3], mtime: 0)
        }
        #expect(error?.description.contains("addendum") == true)
        #expect(try Files.size(dir.file("2024-01-01.tar")) == summary.size)
    }

    @Test func tarNamesThatWouldEscapeTheFolderAreRefused() throws {
        let dir = try TemporaryDirectory("shelf")
        defer { dir.remove() }
        let shelf = TarShelf(directory: dir.path)
        for bad in ["../x.tar", "a/b.tar", ".hidden.tar", "ü.tar"] {
            let error = #expect(throws: PackagingError.self) {
                try shelf.append(tar: bad, member: "a/1.jpg", bytes: [1], mtime: 0)
            }
            #expect(error?.code == .unsafeName)
        }
    }
}
