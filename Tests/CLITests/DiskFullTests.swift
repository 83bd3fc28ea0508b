import Foundation
import SandboxKit
import Testing
import TestSupport

/// A cache folder on a tiny tmpfs: the disk fills up mid-run. Needs root (mount); skipped elsewhere.
@Suite(.timeLimit(.minutes(3)))
struct DiskFullTests {
    @Test(.enabled(if: SmallDisk.isAvailable, "mounting a small tmpfs needs root"))
    func aFullDiskStopsWithOneSentenceKeepsCommittedImagesAndARunAfterFreeingSpaceCompletes() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 300), .init(name: "bob", imageCount: 4)])
        defer { h.close() }
        let small = try SmallDisk(at: h.temp.file("small"), kilobytes: 6 * 1024)
        defer { small.unmount() }
        let disk = small.path
        // 4.3 MB of the 6 MB are taken: the 2.8 MB of images do not fit, but the first batches do.
        let filler = disk + "/filler"
        try Data(count: 4_300_000).write(to: URL(fileURLWithPath: filler))
        let cache = disk + "/cache"

        // One user at a time, so bob is the user the stop keeps from starting.
        let full = try await h.download(["alice", "bob", "--cache-dir", cache, "--jobs", "1"])
        #expect(full.status == 1, "\(full.transcript)")
        #expect(
            full.stdout.contains("No space left on device; free some space and run the same command again")
                || full.stdout.contains(
                    "could not be written because the disk is full; free some space and run the same command again"),
            "\(full.stdout)")
        #expect(full.stdout.contains("bob") && full.stdout.contains("not started"), "the batch stops: bob is not tried")
        #expect(!full.stderr.contains("Fatal error") && !full.stderr.contains("Backtrace"), "no crash: \(full.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.item("alice")))
        let kept = try #require(StateProbe.read(identifier: "mapillary-alice-256-webp", cache: cache, output: h.output))
        #expect(kept.done > 0 && kept.done < 300, "some images were committed before the disk filled")

        try FileManager.default.removeItem(atPath: filler)
        h.mapillary.clearRequestLog()
        let again = try await h.download(["alice", "bob", "--cache-dir", cache])
        #expect(again.status == 0, "\(again.transcript)")
        let fetched = h.cdnRequestsPerImage()
        #expect(kept.doneIDs.filter { fetched[$0] != nil } == [], "committed images were kept, not fetched again")
        let members = try await TarListing.members(item: h.item("alice"))
        #expect(members.count == 300 && Set(members.map(\.imageID)) == Set(h.mapillary.archivableIDs("alice")))
        let verify = try await h.verify(h.item("alice"))
        #expect(verify.status == 0, "\(verify.transcript)")
    }
}
